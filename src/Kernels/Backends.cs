using GpuEnet.Kernels.Cpu;
using GpuEnet.Kernels.Ilgpu;

namespace GpuEnet.Kernels;

/// <summary>
/// Chooses the backend once per run: <c>auto</c> (the GPU when ILGPU finds a CUDA device, else the SIMD CPU backend),
/// <c>cpu</c> (SIMD), <c>cuda</c> (ILGPU on the GPU) or <c>ilgpu-cpu</c> (the GPU kernels on ILGPU's CPU accelerator: tests
/// and debugging only, 11–50× slower than <c>cpu</c>). The environment variable <c>GPUENET_DEVICE</c> overrides <c>auto</c>.
/// </summary>
public static class Backends
{
    /// <summary>Name of the environment variable that forces a backend.</summary>
    public const string EnvironmentVariable = "GPUENET_DEVICE";

    /// <summary>The device names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["auto", "cpu", "cuda", "ilgpu-cpu"];

    /// <summary>
    /// Creates the backend. <paramref name="notice"/> is a one-line message for stderr when <c>auto</c> fell back to the
    /// CPU (saying why), else null.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown device name (naming where it came from), or <c>cuda</c> asked for where
    /// none is usable (with the reason).</exception>
    public static IKernelBackend Create(string? device, int threads, out string? notice)
    {
        notice = null;
        string choice = (device ?? "auto").Trim().ToLowerInvariant();
        string origin = "--device";
        if (choice == "auto" && Environment.GetEnvironmentVariable(EnvironmentVariable) is { } forced)
        {
            choice = forced.Trim().ToLowerInvariant();
            origin = EnvironmentVariable;
        }

        switch (choice)
        {
            case "cpu":
                return new CpuBackend(threads);
            case "ilgpu-cpu":
                return IlgpuBackend.CreateCpu();
            case "cuda":
                return IlgpuBackend.TryCreateCuda(out var cuda, out string reason)
                    ? cuda!
                    : throw new ArgumentException($"{origin} cuda was asked for but no GPU can be used: {reason}.");
            case "auto":
                if (IlgpuBackend.TryCreateCuda(out var gpu, out string why))
                {
                    return gpu!;
                }

                notice = $"No usable NVIDIA GPU ({why}); running on the SIMD CPU backend with {threads} threads.";
                return new CpuBackend(threads);
            default:
                string shown = choice.Length == 0 ? "an empty value" : $"'{choice}'";
                throw new ArgumentException($"{origin} has {shown}: use one of {string.Join(", ", Names)}.");
        }
    }
}
