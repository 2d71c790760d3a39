using BenchmarkDotNet.Running;

namespace GpuEnet.Bench;

/// <summary>
/// Entry point: pick benchmarks with BenchmarkDotNet's switches, e.g. <c>--filter '*'</c> (see README.md), or
/// <c>project N P [float32|float64] [FOLDS] [NLAMBDA]</c> for the GPU projection of bench/gpu/project.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "project")
        {
            GpuProjection.Run(args[1..]);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
