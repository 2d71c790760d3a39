using GpuEnet.Host.Cli;
using GpuEnet.Host.Demo;
using GpuEnet.Host.ModelFile;
using GpuEnet.Host.Output;
using GpuEnet.Kernels;
using GpuEnet.Solver;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.Commands;

/// <summary>
/// <c>gpuenet demo</c>: a genomics-like problem with known effects, cross-validated over a small l1_ratio grid on the
/// best device present; prints how many true effects the selected model recovered and writes model, JSON and report.
/// </summary>
public static class DemoCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        var o = Options.Parse("demo", args);
        var family = TrainCommand.Family(o.Get("family"));
        bool binomial = family == ModelFamily.Binomial;
        int n = o.Int("n", 500), p = o.Int("p", 20_000), effects = o.Int("effects", 20), seed = o.Int("seed", 1);
        if (n < 10 || p < 1 || effects < 1 || effects > p)
        {
            throw new CliException("demo needs --n ≥ 10, --p ≥ 1 and 1 ≤ --effects ≤ --p.", 2);
        }

        string folder = o.Get("out") ?? "gpuenet-demo";
        if (folder.Trim().Length == 0)
        {
            throw new CliException("--out needs a folder name, got an empty string.", 2);
        }

        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--out '{folder}': cannot create the folder ({(e is UnauthorizedAccessException ? "permission denied" : "a file of that name exists, or the file system refused")}).", 1);
        }

        string modelPath = Path.Combine(folder, "demo.gnet");
        string reportPath = Path.Combine(folder, "demo-report.html");
        using var outputs = new OutputSet();
        var modelOut = outputs.Add("--out", modelPath);
        var jsonOut = outputs.Add("--out", Path.Combine(folder, "demo.json"));
        var reportOut = outputs.Add("--out", reportPath);
        outputs.Prepare();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var problem = DemoProblem.Generate(n, p, effects, seed, caseControl: binomial);
        var data = problem.ToDataset();
        double generated = clock.Elapsed.TotalSeconds;
        Console.Out.WriteLine($"demo: n = {n} samples, p = {p} features in correlated blocks, {effects} true effects (seed {seed}){(binomial ? "; case/control target (liability threshold at the median: 1 = case)" : "")}; generated in {generated:F2} s");
        int threads = o.Int("threads", Environment.ProcessorCount);
        if (threads < 1)
        {
            throw new CliException($"--threads must be at least 1, got {threads}.", 2);
        }

        using var backend = Backends.Create(o.Get("device"), threads, out string? notice);
        if (notice is not null)
        {
            Console.Error.WriteLine(notice);
        }

        var settings = new EnetSettings { L1Ratios = [1.0, 0.5, 0.1], Family = family };
        var training = TrainCommand.Prepare(data, settings, indicators: false, generated);
        EnetModel model;
        using (var progress = new ProgressLine("cross-validating"))
        {
            model = new EnetFitter(backend, settings, progress).CrossValidate(training, new CvOptions { Folds = 10, Seed = seed, Select = SelectionRule.OneSe });
        }

        var truth = problem.TrueIndices.Select((j, k) => (j, k)).ToDictionary(t => t.j, t => problem.TrueEffects[t.k]);
        outputs.Write(modelOut, stream => ModelWriter.Write(model, stream));
        outputs.Write(jsonOut, stream => JsonOutput.Write(model, stream));
        outputs.Write(reportOut, stream => ReportWriter.Write(model, data, stream, truth));
        outputs.Commit();
        Console.Out.Write(Summary.Text(model, modelPath, top: 10));
        var selected = SelectedFeatures.Of(model).Select(f => f.Index).ToArray();
        int recovered = DemoProblem.CountRecovered(problem, selected);
        Console.Out.WriteLine($"recovered {recovered} of {effects} true effects among {selected.Length} selected features (lambda_1se); report: {reportPath}");
        return 0;
    }
}
