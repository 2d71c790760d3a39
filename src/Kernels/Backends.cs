using GpuEnet.Kernels.Cpu;
using GpuEnet.Kernels.Cuda;

namespace GpuEnet.Kernels;

/// <summary>
/// Chooses the backend once per run: <c>auto</c> (the GPU when a driver and device exist, else the CPU),
/// <c>cpu</c> or <c>cuda</c>. The environment variable <c>GPUENET_DEVICE</c> overrides <c>auto</c>.
/// </summary>
public static class Backends
{
    /// <summary>Name of the environment variable that forces a backend.</summary>
    public const string EnvironmentVariable = "GPUENET_DEVICE";

    /// <summary>
    /// Creates the backend. <paramref name="notice"/> is a one-line message for stderr when <c>auto</c> fell back to the
    /// CPU (saying why), else null.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown device name, or <c>cuda</c> asked for where none is usable (with the reason).</exception>
    public static IKernelBackend Create(string? device, int threads, out string? notice)
    {
        notice = null;
        string choice = (device ?? "auto").Trim().ToLowerInvariant();
        if (choice == "auto" && Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } forced)
        {
            choice = forced.Trim().ToLowerInvariant();
        }

        switch (choice)
        {
            case "cpu":
                return new CpuBackend(threads);
            case "cuda":
                return CudaBackend.TryCreate(out var cuda, out string reason)
                    ? cuda!
                    : throw new ArgumentException($"--device cuda was asked for but no GPU can be used: {reason.TrimEnd('.')}.");
            case "auto":
                if (CudaBackend.TryCreate(out var gpu, out string why))
                {
                    return gpu!;
                }

                notice = $"No usable NVIDIA GPU ({why.TrimEnd('.')}); running on the CPU backend with {threads} threads.";
                return new CpuBackend(threads);
            default:
                throw new ArgumentException($"Unknown device '{device}': use auto, cpu or cuda.");
        }
    }
}
