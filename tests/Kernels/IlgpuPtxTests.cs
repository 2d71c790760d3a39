using System.Reflection;
using System.Text.RegularExpressions;
using GpuEnet.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace GpuEnet.Tests.Kernels;

/// <summary>
/// Every kernel compiles to PTX for an A100/H100-class GPU (sm_80, the instruction set a CUDA 12.x driver takes) with no
/// GPU present, and the hot kernels keep everything in registers: a <c>.local</c> state space in their PTX means a spill
/// to local memory, which costs a device-memory round trip per access.
/// </summary>
public sealed partial class IlgpuPtxTests
{
    public static TheoryData<string> KernelNames() => [.. IlgpuKernels.All.Select(k => k.Name)];

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void KernelCompilesToPtxWithoutLocalMemory(string name)
    {
        string ptx = IlgpuKernels.CompilePtx(IlgpuKernels.All.Single(k => k.Name == name).Method, CudaArchitecture.SM_80);
        // scripts/dump-ptx.sh sets this to keep the PTX for review.
        if (Environment.GetEnvironmentVariable("GPUENET_PTX_DUMP") is { Length: > 0 } dump)
        {
            Directory.CreateDirectory(dump);
            File.WriteAllText(Path.Combine(dump, $"{name}.sm_80.ptx"), ptx);
        }

        Assert.Contains(".target sm_80", ptx, StringComparison.Ordinal);
        Assert.Contains(".entry", ptx, StringComparison.Ordinal);
        Assert.DoesNotMatch(LocalStateSpace(), ptx);
        // Barriers of the fixed-order trees are real bar.sync instructions, not shared-memory atomics; a kernel without
        // shared memory (RowDistances: one writer per output) has none to need.
        if (ptx.Contains(".shared", StringComparison.Ordinal))
        {
            Assert.Contains("bar.sync", ptx, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("RowDistances", name);
        }

        Assert.DoesNotContain("atom.shared", ptx, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryKernelIsListed()
    {
        Type[] kernelTypes = typeof(IlgpuBackend).Assembly.GetTypes()
            .Where(t => t.Namespace == "GpuEnet.Kernels.Ilgpu.Kernels" && t.Name.EndsWith("Kernel", StringComparison.Ordinal))
            .ToArray();
        Assert.NotEmpty(kernelTypes);
        Assert.Equal(kernelTypes.Select(t => t.Name).Order(), IlgpuKernels.All.Select(k => k.Method.DeclaringType!.Name).Order());
    }

    [GeneratedRegex(@"\.local\s")]
    private static partial Regex LocalStateSpace();
}
