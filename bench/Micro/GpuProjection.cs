using System.Diagnostics;
using System.Globalization;
using GpuEnet.Kernels;
using GpuEnet.Kernels.Projection;
using GpuEnet.Solver;

namespace GpuEnet.Bench;

/// <summary>
/// A projected H100 time for a cross-validation, from its counted work. The solve runs here on the SIMD backend through
/// <see cref="ModelledGpuBackend"/>, which counts exactly what the ILGPU backend would move and read (a test checks the
/// counts against the ILGPU backend on a small problem); a stated roofline turns the counts into seconds. A projection,
/// not a measurement: no GPU has run it.
/// </summary>
internal static class GpuProjection
{
    // The roofline (H100 SXM): HBM3 bandwidth, PCIe gen5 x16 in practice, launch and synchronisation latency.
    private const double Hbm = 3.35e12;
    private const double Pcie = 50e9;
    private const double Latency = 5e-6;
    private const int StreamingMultiprocessors = 132;

    // A coordinate step of one problem is one group on one SM reading its column of X, w and r and writing r; with every
    // SM busy an SM gets 1/132 of HBM. The step's barriers (2·log₂256 + 2) add about a microsecond.
    private const double StepBarriers = 1e-6;

    public static void Run(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        int p = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        bool single = args.Length <= 2 || args[2] == "float32";
        int folds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10;
        int nlambda = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 100;
        const int ScaledP = 1_000_000;

        var clock = Stopwatch.StartNew();
        var (x, y) = Generate(n, p, single);
        Console.Error.WriteLine($"project: generated {n} × {p} {(single ? "float32" : "float64")} in {clock.Elapsed.TotalSeconds:F1} s");
        var settings = new EnetSettings { L1Ratios = [1.0], NLambda = nlambda, FullPath = true };
        using var backend = new ModelledGpuBackend(Environment.ProcessorCount);
        clock.Restart();
        var model = new EnetFitter(backend, settings).CrossValidate(
            new TrainingData { X = x, Y = y, Features = Enumerable.Range(1, p).Select(j => $"x{j}").ToArray() },
            new CvOptions { Folds = folds, Seed = 1 });
        double cpuSeconds = clock.Elapsed.TotalSeconds;
        var d = backend.Designs.Single();
        var t = model.Training.Traffic;

        int elementBytes = single ? sizeof(float) : sizeof(double);
        double perSm = Hbm / StreamingMultiprocessors;
        double step = ((elementBytes + 24.0) * n / perSm) + StepBarriers;
        long otherTransfers = t.ToDeviceBytes + t.FromDeviceBytes - d.XUploadBytes;

        double Row(double scale, out string[] cells)
        {
            double xRead = t.XBytesRead * scale / Hbm;
            double upload = d.XUploadBytes * scale / Pcie;
            double transfers = (otherTransfers + (d.ColumnProportionalBytes * (scale - 1))) / Pcie;
            double launches = (t.KernelLaunches + d.Passes + d.DescentCalls) * Latency;
            double descent = d.CriticalSteps * step;
            double total = xRead + upload + transfers + launches + descent;
            cells = [F(xRead), F(upload), F(transfers), F(launches), F(descent), F(total)];
            return total;
        }

        Console.WriteLine($"GPU projection (H100 roofline: HBM {Hbm / 1e12:F2} TB/s, PCIe {Pcie / 1e9:F0} GB/s, {Latency * 1e6:F0} µs per launch and per synchronisation, a coordinate step {step * 1e6:F1} µs) — PROJECTED, not measured");
        Console.WriteLine();
        Console.WriteLine($"Counted on the SIMD backend here ({Environment.ProcessorCount} cores, solve {cpuSeconds:F1} s): {folds}-fold CV × {model.Paths[0].Count} λ, n = {n:N0}, p = {p:N0}, {(single ? "float32" : "float64")}: " +
            $"passes over X {d.Passes:N0}, X read {t.XBytesRead / 1e9:F1} GB, X upload {d.XUploadBytes / 1e9:F2} GB, other host↔device {otherTransfers / 1e9:F2} GB " +
            $"({100.0 * otherTransfers / t.XBytesRead:F1} % of X read; p-proportional {d.ColumnProportionalBytes / 1e9:F2} GB, descent calls {d.DescentBytes / 1e9:F2} GB, KKT passes {d.PassBytes / 1e9:F2} GB), launches {t.KernelLaunches:N0}, descent calls {d.DescentCalls:N0}, " +
            $"coordinate steps {d.Steps:N0} (critical path {d.CriticalSteps:N0})");
        Console.WriteLine();
        Console.WriteLine("| case | X reads (HBM) | X upload (PCIe) | other transfers (PCIe) | launches + syncs | descent | projected total |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Row(1, out var here);
        Console.WriteLine($"| n={n:N0}, p={p:N0} | {string.Join(" | ", here)} |");
        Row((double)ScaledP / p, out var scaled);
        Console.WriteLine($"| n={n:N0}, p={ScaledP:N0} (X-proportional terms × {(double)ScaledP / p:F0}) | {string.Join(" | ", scaled)} |");
    }

    private static string F(double seconds) => seconds.ToString("F2", CultureInfo.InvariantCulture) + " s";

    // The JSS design (equal correlation 0.5, 10 true effects, signal-to-noise 3), generated straight into float32 or float64.
    private static (IColumnSource X, double[] Y) Generate(int n, int p, bool single)
    {
        var rng = new JssDesign.Gaussian(1);
        const double Rho = 0.5;
        var z = new double[n];
        for (int i = 0; i < n; i++)
        {
            z[i] = rng.Next();
        }

        double a = Math.Sqrt(Rho), b = Math.Sqrt(1 - Rho);
        var y = new double[n];
        float[] f32 = single ? new float[(long)n * p] : [];
        double[] f64 = single ? [] : new double[(long)n * p];
        double sum = 0, squares = 0;
        for (int j = 0; j < p; j++)
        {
            double beta = j < 10 ? (j % 2 == 0 ? -1.0 : 1.0) * Math.Exp(-2.0 * j / 20.0) : 0;
            sum += beta;
            squares += beta * beta;
            for (int i = 0; i < n; i++)
            {
                double v = (a * z[i]) + (b * rng.Next());
                long at = ((long)j * n) + i;
                if (single)
                {
                    f32[at] = (float)v;
                    v = f32[at];
                }
                else
                {
                    f64[at] = v;
                }

                y[i] += beta * v;
            }
        }

        double sigma = Math.Sqrt(((Rho * sum * sum) + ((1 - Rho) * squares)) / 3.0);
        for (int i = 0; i < n; i++)
        {
            y[i] += sigma * rng.Next();
        }

        return (single ? new DenseMatrix32(n, p, f32) : new DenseMatrix(n, p, f64), y);
    }
}
