using BenchmarkDotNet.Attributes;
using GpuEnet.Kernels;
using GpuEnet.Solver;
using GpuEnet.Solver.Model;

namespace GpuEnet.Bench;

/// <summary>
/// End-to-end solver calls on JSS-style data (ρ = 0.5), small enough for the short job: a lasso path of 100 λ
/// (<see cref="EnetSettings.FullPath"/>, so every λ is computed and the work does not depend on the early stop) at
/// n = 100, p = 20,000, and 10-fold cross-validation at n = 100, p = 5,000 (11 problems in one batch). Each call binds
/// X itself (for CUDA: one upload per call), as the CLI does.
/// </summary>
[Config(typeof(MicroConfig))]
public class PathBenchmarks
{
    private static readonly EnetSettings s_lasso = new() { L1Ratios = [1.0], NLambda = 100, FullPath = true };

    private IKernelBackend _backend = null!;
    private TrainingData _fitData = null!;
    private TrainingData _cvData = null!;

    [ParamsSource(nameof(Backends))]
    public BackendCase Backend { get; set; } = null!;

    public static IEnumerable<BackendCase> Backends() => BackendCase.Available();

    [GlobalSetup]
    public void Setup()
    {
        _backend = Backend.Create();
        _fitData = Data(JssDesign.Generate(100, 20_000, rho: 0.5, seed: 2010));
        _cvData = Data(JssDesign.Generate(100, 5_000, rho: 0.5, seed: 2011));
    }

    [GlobalCleanup]
    public void Cleanup() => _backend.Dispose();

    [Benchmark(Description = "Fit lasso 100λ n=100 p=20000")]
    public EnetModel Fit() => new EnetFitter(_backend, s_lasso).Fit(_fitData);

    [Benchmark(Description = "CV 10-fold lasso 100λ n=100 p=5000")]
    public EnetModel CrossValidate() => new EnetFitter(_backend, s_lasso).CrossValidate(_cvData, new CvOptions { Folds = 10, Seed = 1 });

    private static TrainingData Data(JssDesign design) => new()
    {
        X = design.X,
        Y = design.Y,
        Features = [.. Enumerable.Range(1, design.X.Columns).Select(j => $"x{j}")],
    };
}
