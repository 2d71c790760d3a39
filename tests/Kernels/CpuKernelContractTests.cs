using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;

namespace GpuEnet.Tests.Kernels;

/// <summary>The kernel contract suite on the CPU backend (always runs).</summary>
public sealed class CpuKernelContractTests : KernelContractTests
{
    protected override IKernelBackend CreateBackend() => new CpuBackend(2);
}
