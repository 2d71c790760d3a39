using System.Reflection;
using GpuEnet.Kernels.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace GpuEnet.Kernels.Ilgpu;

/// <summary>
/// The list of kernels and their PTX compiled without a GPU (ILGPU's <see cref="PTXBackend"/>): used by the PTX test and
/// by <c>gpuenet ptx</c>-style review dumps (<c>scripts/dump-ptx.sh</c>).
/// </summary>
public static class IlgpuKernels
{
    /// <summary>Every kernel entry point: a name and its static method.</summary>
    public static IReadOnlyList<(string Name, MethodInfo Method)> All { get; } =
    [
        ("ColumnMoments", typeof(ColumnMomentsKernel).GetMethod(nameof(ColumnMomentsKernel.Run))!),
        ("ResidualSums", typeof(ResidualSumsKernel).GetMethod(nameof(ResidualSumsKernel.Run))!),
        ("BatchedGradient", typeof(BatchedGradientKernel).GetMethod(nameof(BatchedGradientKernel.Run))!),
        ("ActiveSetDescent", typeof(ActiveSetDescentKernel).GetMethod(nameof(ActiveSetDescentKernel.Run))!),
        ("RowDistances", typeof(RowDistancesKernel).GetMethod(nameof(RowDistancesKernel.Run))!),
    ];

    /// <summary>
    /// PTX of an explicitly grouped kernel for <paramref name="architecture"/>, with the instruction set ILGPU would pick for a
    /// CUDA 12.4 driver. Needs no GPU or driver.
    /// </summary>
    public static string CompilePtx(MethodInfo kernel, CudaArchitecture architecture)
    {
        using var context = Context.Create(builder => builder.CPU().Optimize(OptimizationLevel.O2));
        var instructionSet = CudaAccelerator.GetInstructionSet(architecture, CudaDriverVersion.FromMajorMinor(12, 4));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, instructionSet, nvvmAPI: null);
        var entry = EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }
}
