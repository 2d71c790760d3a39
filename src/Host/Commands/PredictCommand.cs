using System.Globalization;
using System.Text;
using GpuEnet.Host.Cli;
using GpuEnet.Host.Data;
using GpuEnet.Host.ModelFile;

namespace GpuEnet.Host.Commands;

/// <summary>
/// <c>gpuenet predict --model M --data F [--lambda X] [--l1-ratio A] --out P.csv</c>: reads the model, matches the
/// data's columns by name, applies the stored preprocessing and writes one prediction per data row.
/// </summary>
public static class PredictCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        var o = new Options("predict", args, ["model", "data", "lambda", "l1-ratio", "out"], ["quiet"]);
        var model = ModelReader.Read(o.Require("model"));
        string dataPath = o.Require("data");
        string outPath = o.Require("out");
        double? lambda = o.Has("lambda") ? o.Double("lambda", 0) : null;
        int pathIndex = model.Selected.PathIndex;
        if (o.Has("l1-ratio"))
        {
            double a = o.Double("l1-ratio", 1);
            pathIndex = Array.FindIndex(model.Paths, p => Math.Abs(p.L1Ratio - a) < 1e-12);
            if (pathIndex < 0)
            {
                string have = string.Join(", ", model.Paths.Select(p => p.L1Ratio.ToString("G6", CultureInfo.InvariantCulture)));
                throw new CliException($"The model has no path with l1_ratio {a} (it has {have}).", 2);
            }
        }

        var data = DataLoader.Load(new DataRequest(dataPath));
        var rows = ToRows(data);
        var predictions = ModelPredictor.Predict(model, data.Features, rows, pathIndex, lambda);
        string full = Path.GetFullPath(outPath);
        string temp = full + ".tmp-" + Environment.ProcessId;
        using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)))
        {
            writer.WriteLine("row,prediction");
            for (int i = 0; i < predictions.Length; i++)
            {
                int row = data.SourceRows?[i] ?? (i + 1);
                writer.Write(row.ToString(CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.WriteLine(predictions[i].ToString("R", CultureInfo.InvariantCulture));
            }
        }

        File.Move(temp, full, overwrite: true);
        if (!o.Bool("quiet", false))
        {
            Console.Error.WriteLine($"{predictions.Length} predictions written to {outPath}");
        }

        return 0;
    }

    // Row-major copy with NaN for missing cells, as the predictor takes it.
    private static double[][] ToRows(Dataset data)
    {
        var x = data.X;
        var rows = new double[x.Rows][];
        for (int i = 0; i < x.Rows; i++)
        {
            rows[i] = new double[x.Columns];
        }

        var scratch = new double[x.Rows];
        for (int j = 0; j < x.Columns; j++)
        {
            var column = x.Column(j, scratch);
            for (int i = 0; i < x.Rows; i++)
            {
                rows[i][j] = column[i];
            }

            foreach (int i in x.MissingRows(j))
            {
                rows[i][j] = double.NaN;
            }
        }

        return rows;
    }
}
