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
        var o = new Options("demo", args, ["n", "p", "effects", "seed", "device", "threads", "out"], ["quiet"]);
        int n = o.Int("n", 500), p = o.Int("p", 20_000), effects = o.Int("effects", 20), seed = o.Int("seed", 1);
        if (n < 10 || p < 1 || effects < 1 || effects > p)
        {
            throw new CliException("demo needs --n ≥ 10, --p ≥ 1 and 1 ≤ --effects ≤ --p.", 2);
        }

        string folder = o.Get("out") ?? "gpuenet-demo";
        Directory.CreateDirectory(folder);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var problem = DemoProblem.Generate(n, p, effects, seed);
        var data = problem.ToDataset();
        double generated = clock.Elapsed.TotalSeconds;
        Console.Out.WriteLine($"demo: n = {n} samples, p = {p} features in correlated blocks, {effects} true effects (seed {seed}); generated in {generated:F2} s");
        using var backend = Backends.Create(o.Get("device"), o.Int("threads", Environment.ProcessorCount), out string? notice);
        if (notice is not null)
        {
            Console.Error.WriteLine(notice);
        }

        var settings = new EnetSettings { L1Ratios = [1.0, 0.5, 0.1] };
        var training = TrainCommand.Prepare(data, settings, indicators: false, generated);
        EnetModel model;
        using (var progress = new ProgressLine("cross-validating"))
        {
            model = new EnetFitter(backend, settings, progress).CrossValidate(training, new CvOptions { Folds = 10, Seed = seed, Select = SelectionRule.OneSe });
        }

        string modelPath = Path.Combine(folder, "demo.gnet");
        string reportPath = Path.Combine(folder, "demo-report.html");
        ModelWriter.Write(model, modelPath);
        JsonOutput.Write(model, Path.Combine(folder, "demo.json"));
        var truth = problem.TrueIndices.Select((j, k) => (j, k)).ToDictionary(t => t.j, t => problem.TrueEffects[t.k]);
        ReportWriter.Write(model, data, reportPath, truth);
        Console.Out.Write(Summary.Text(model, modelPath, top: 10));
        var selected = SelectedFeatures.Of(model).Select(f => f.Index).ToArray();
        int recovered = DemoProblem.CountRecovered(problem, selected);
        Console.Out.WriteLine($"recovered {recovered} of {effects} true effects among {selected.Length} selected features (lambda_1se); report: {reportPath}");
        return 0;
    }
}
