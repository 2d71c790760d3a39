using BenchmarkDotNet.Running;

namespace GpuEnet.Bench;

/// <summary>Entry point: pick benchmarks with BenchmarkDotNet's switches, e.g. <c>--filter '*'</c> (see README.md).</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
