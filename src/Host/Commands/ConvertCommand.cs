using System.Diagnostics;
using System.Globalization;
using GpuEnet.Host.Cli;
using GpuEnet.Host.Data;
using GpuEnet.Host.Output;

namespace GpuEnet.Host.Commands;

/// <summary>
/// <c>gpuenet convert --data X.csv [--target NAME | --target-file FILE] [--ignore COLS] --out X.npy</c>: parses
/// delimited text once and writes its features as a Fortran-ordered float64 <c>.npy</c> with the sidecar
/// <c>X.npy.json</c> (feature names, target), which later runs memory-map instead of parsing again.
/// </summary>
/// <remarks>
/// Every data row is kept, one with a missing target included (stored as null), so row numbers, fold-id files and
/// dropped-row counts mean the same for <c>--data X.npy</c> as for the text file. Missing feature cells are NaN in the
/// matrix. Both files are one atomic output set: a failed convert replaces neither.
/// </remarks>
public static class ConvertCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        var o = Options.Parse("convert", args);
        bool quiet = o.Bool("quiet", false);
        string dataPath = o.Require("data");
        string outPath = o.Require("out");
        string lower = dataPath.ToLowerInvariant();
        if (!(lower.EndsWith(".csv", StringComparison.Ordinal) || lower.EndsWith(".tsv", StringComparison.Ordinal)
            || lower.EndsWith(".csv.gz", StringComparison.Ordinal) || lower.EndsWith(".tsv.gz", StringComparison.Ordinal)))
        {
            throw new CliException($"'gpuenet convert' reads delimited text (.csv, .tsv, .csv.gz, .tsv.gz); '{dataPath}' is not.", 2);
        }

        if (!outPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException($"--out must name a .npy file, got '{outPath}'.", 2);
        }

        if (o.Has("target") && o.Has("target-file"))
        {
            throw new CliException("Give --target (a column) or --target-file, not both.", 2);
        }

        using var outputs = new OutputSet();
        foreach (string input in DataLoader.InputFiles(dataPath))
        {
            outputs.AddInput("--data", input);
        }

        outputs.AddInput("--target-file", o.Get("target-file"));
        var matrixOut = outputs.Add("--out", outPath);
        var sidecarOut = outputs.Add("--out (sidecar)", NpySidecar.PathOf(outPath));
        outputs.Prepare();

        var clock = Stopwatch.StartNew();
        var dataset = DataLoader.Load(new DataRequest(dataPath)
        {
            Target = o.Get("target"),
            TargetFile = o.Get("target-file"),
            Ignore = o.Get("ignore") is { } ignore ? TrainCommand.NameList("ignore", ignore) : null,
            KeepRowsWithoutTarget = true,
        });
        double loadSeconds = clock.Elapsed.TotalSeconds;
        bool hasTarget = dataset.Y.Length > 0;
        var sidecar = new NpySidecar
        {
            Features = dataset.Features,
            TargetName = hasTarget ? dataset.Target : null,
            Target = hasTarget ? dataset.Y : null,
            Source = Path.GetFileName(dataPath),
        };
        outputs.Write(matrixOut, stream => NpyWriter.WriteFortran(dataset.X, stream));
        outputs.Write(sidecarOut, stream => sidecar.Write(stream, dataset.X.Rows));
        outputs.Commit();
        if (!quiet)
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {outPath} ({dataset.X.Rows} rows × {dataset.X.Columns} features, float64, Fortran order) and {NpySidecar.PathOf(outPath)} (names{(hasTarget ? $", target '{dataset.Target}'" : ", no target")}); parsed in {loadSeconds:F2} s, written in {clock.Elapsed.TotalSeconds - loadSeconds:F2} s."));
        }

        return 0;
    }
}
