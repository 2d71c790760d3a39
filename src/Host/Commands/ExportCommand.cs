using GpuEnet.Host.Cli;
using GpuEnet.Host.Export;
using GpuEnet.Host.ModelFile;
using GpuEnet.Host.Output;

namespace GpuEnet.Host.Commands;

/// <summary>
/// <c>gpuenet export --model M --onnx P.onnx [--lambda X [--clamp]] [--l1-ratio A] [--precision float64|float32]
/// [--inputs tensor|named]</c>: writes one solution of the model as a self-contained ONNX graph (see
/// <see cref="OnnxExporter"/>) that gives <c>gpuenet predict</c>'s predictions.
/// </summary>
public static class ExportCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        var o = Options.Parse("export", args);
        string modelPath = o.Require("model");
        string onnxPath = o.Require("onnx");
        double? lambda = o.Has("lambda") ? o.Double("lambda", 0) : null;
        double? l1Ratio = o.Has("l1-ratio") ? o.Double("l1-ratio", 1) : null;
        bool float32 = o.Get("precision") switch
        {
            null or "float64" => false,
            "float32" => true,
            string v => throw new CliException($"--precision must be float64 or float32, got '{v}'.", 2),
        };
        OnnxInputs inputs = o.Get("inputs") switch
        {
            null or "tensor" => OnnxInputs.Tensor,
            "named" => OnnxInputs.Named,
            string v => throw new CliException($"--inputs must be tensor or named, got '{v}'.", 2),
        };

        using var outputs = new OutputSet();
        outputs.AddInput("--model", modelPath);
        var onnxOut = outputs.Add("--onnx", onnxPath);
        outputs.Prepare();

        var model = ModelReader.Read(modelPath);
        int pathIndex = PredictCommand.PathIndex(model, l1Ratio);
        lambda = PredictCommand.CheckLambda(lambda, model.Paths[pathIndex].Lambda, o.Bool("clamp", false));
        byte[] bytes = OnnxExporter.Export(model, pathIndex, lambda, float32, inputs);
        outputs.Write(onnxOut, stream => stream.Write(bytes));
        outputs.Commit();
        if (!o.Bool("quiet", false))
        {
            int m = model.Preprocessing.InputColumns.Length;
            string shape = inputs == OnnxInputs.Tensor
                ? $"input '{OnnxExporter.InputName}' [N, {m}] in the model's input-column order (metadata 'feature_order'; 'gpuenet inspect' lists them)"
                : $"{m} named inputs [N, 1]";
            Console.Error.WriteLine($"{onnxPath}: {(float32 ? "float32" : "float64")} ONNX graph, {shape}, output '{OnnxExporter.OutputName}' [N]");
        }

        return 0;
    }
}
