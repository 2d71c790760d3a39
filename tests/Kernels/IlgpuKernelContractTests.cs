using GpuEnet.Kernels;
using GpuEnet.Kernels.Ilgpu;
using ILGPU.Runtime.CPU;

namespace GpuEnet.Tests.Kernels;

// The conformance suite on the ILGPU backend over ILGPU's CPU accelerator: the GPU kernels themselves, groups and barriers
// included, under two group sizes and schedules (IlgpuRaceTests adds more shapes, up to 64-thread groups, on small cases:
// the CPU accelerator runs every thread of a group as an OS thread, so wide groups are slow here). None of these can skip:
// the CPU accelerator exists everywhere.

/// <summary>The shape <c>--device ilgpu-cpu</c> uses (groups of two), groups scheduled in parallel.</summary>
public sealed class IlgpuDefaultKernelContractTests : KernelContractTests
{
    protected override bool CompactsBoundedGradients => true;

    protected override IKernelBackend CreateBackend() => IlgpuBackend.CreateCpu();
}

/// <summary>The smallest group the kernels allow (4 threads: a two-level tree), sequential scheduling.</summary>
public sealed class IlgpuSmallGroupKernelContractTests : KernelContractTests
{
    protected override bool CompactsBoundedGradients => true;

    protected override IKernelBackend CreateBackend() =>
        IlgpuBackend.CreateCpu(new CPUDevice(4, 1, 1), groupSize: 4, mode: CPUAcceleratorMode.Sequential);
}
