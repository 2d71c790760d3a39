using GpuEnet.Host.Cli;
using GpuEnet.Host.ModelFile;

namespace GpuEnet.Host.Commands;

/// <summary><c>gpuenet inspect --model M [--json]</c>: metadata, the selected model and its non-zero coefficients.</summary>
public static class InspectCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        var o = Options.Parse("inspect", args);
        var model = ModelReader.Read(o.Require("model"));
        Console.Out.Write(o.Bool("json", false) ? InspectReport.Json(model) + Environment.NewLine : InspectReport.Text(model));
        return 0;
    }
}
