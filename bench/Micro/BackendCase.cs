using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Kernels.Ilgpu;

namespace GpuEnet.Bench;

/// <summary>
/// One backend as a <c>[ParamsSource]</c> value: the table shows its device name, the benchmark creates it in
/// <c>[GlobalSetup]</c>. CUDA is listed only where <see cref="IlgpuBackend.TryCreateCuda"/> succeeds, so the same
/// benchmark puts CPU and GPU rows in one table on a GPU machine and runs CPU-only elsewhere.
/// </summary>
public sealed class BackendCase
{
    private readonly Func<IKernelBackend> _create;

    private BackendCase(string name, Func<IKernelBackend> create)
    {
        Name = name;
        _create = create;
    }

    public string Name { get; }

    public IKernelBackend Create() => _create();

    public override string ToString() => Name;

    /// <summary>
    /// CPU always (all cores), CUDA when a device opens. BenchmarkDotNet calls this in the host and again in each
    /// benchmark process (it picks the value by index), so the probe must give the same list both times.
    /// </summary>
    public static IEnumerable<BackendCase> Available()
    {
        yield return new BackendCase("cpu", () => new CpuBackend());
        if (IlgpuBackend.TryCreateCuda(out var probe, out _))
        {
            string name = probe!.Device;
            probe.Dispose();
            yield return new BackendCase(name, () => IlgpuBackend.TryCreateCuda(out var cuda, out string reason)
                ? cuda!
                : throw new InvalidOperationException($"CUDA was available when the cases were listed but not now: {reason}"));
        }
    }
}
