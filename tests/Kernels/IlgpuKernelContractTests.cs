using GpuEnet.Kernels;
using GpuEnet.Kernels.Ilgpu;
using ILGPU.Runtime.CPU;

namespace GpuEnet.Tests.Kernels;

// The conformance suite on the ILGPU backend over ILGPU's CPU accelerator: the GPU kernels themselves, groups and barriers
// included, under several group sizes and device shapes (a kernel whose correctness depends on one thread order or one
// group size fails under another). None of these can skip: the CPU accelerator exists everywhere.

/// <summary>ILGPU's default CPU device (4-thread warps, groups of 16), groups scheduled in parallel.</summary>
public sealed class IlgpuDefaultKernelContractTests : KernelContractTests
{
    protected override IKernelBackend CreateBackend() => IlgpuBackend.CreateCpu(mode: CPUAcceleratorMode.Parallel);
}

/// <summary>The smallest group the kernels allow (4 threads: a two-level tree), sequential scheduling.</summary>
public sealed class IlgpuSmallGroupKernelContractTests : KernelContractTests
{
    protected override IKernelBackend CreateBackend() =>
        IlgpuBackend.CreateCpu(new CPUDevice(4, 1, 1), groupSize: 4, mode: CPUAcceleratorMode.Sequential);
}

/// <summary>GPU-sized groups (256 threads, more threads than most test rows) on two multiprocessors.</summary>
public sealed class IlgpuWideGroupKernelContractTests : KernelContractTests
{
    protected override IKernelBackend CreateBackend() =>
        IlgpuBackend.CreateCpu(new CPUDevice(32, 8, 2), groupSize: 256, mode: CPUAcceleratorMode.Parallel);
}
