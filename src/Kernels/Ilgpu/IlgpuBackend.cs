using GpuEnet.Kernels.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace GpuEnet.Kernels.Ilgpu;

/// <summary>
/// The ILGPU backend: the kernels of <c>Ilgpu/Kernels</c> (static C# methods) compiled by ILGPU for an NVIDIA GPU
/// (<see cref="TryCreateCuda"/>) or run by ILGPU's CPU accelerator (<see cref="CreateCpu"/>: tests and debugging only; it is
/// 11–50× slower than the SIMD backend, which stays the CPU fallback). Kernels are loaded once per accelerator.
/// </summary>
public sealed class IlgpuBackend : IKernelBackend
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;

    private IlgpuBackend(Context context, Accelerator accelerator, string device, int? groupSize)
    {
        _context = context;
        _accelerator = accelerator;
        Device = device;
        int limit = Math.Min(GroupReduce.MaxGroupSize, accelerator.MaxNumThreadsPerGroup);
        int size = groupSize ?? limit;
        if (size < 1 || size > limit || (size & (size - 1)) != 0)
        {
            throw new ArgumentException($"The kernels need a power-of-two group size between 1 and {limit} on {device}, not {size}.");
        }

        GroupSize = size;
        Kernels = new KernelSet(accelerator);
    }

    /// <inheritdoc/>
    public string Device { get; }

    /// <summary>Threads per group of every launch (a power of two, at most 256).</summary>
    public int GroupSize { get; }

    internal Accelerator Accelerator => _accelerator;

    internal KernelSet Kernels { get; }

    /// <summary>
    /// The first CUDA device ILGPU finds; false, with the reason, where there is none (no NVIDIA driver or GPU).
    /// </summary>
    public static bool TryCreateCuda(out IlgpuBackend? backend, out string reason)
    {
        backend = null;
        Context? context = null;
        try
        {
            context = Context.Create(builder => builder.Cuda().Math(MathMode.Default).Optimize(OptimizationLevel.O2));
            if (context.GetCudaDevices().Count == 0)
            {
                reason = "ILGPU finds no CUDA device (no NVIDIA GPU or driver on this machine)";
                context.Dispose();
                return false;
            }

            // Under mpirun each rank of a node takes its own GPU: local rank r uses device r (mod the devices present).
            int index = LocalRank() % context.GetCudaDevices().Count;
            CudaDevice device = context.GetCudaDevice(index);
            Accelerator accelerator = device.CreateAccelerator(context);
            backend = new IlgpuBackend(context, accelerator, $"cuda:{index} ({device.Name})", null);
            reason = "";
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context?.Dispose();
            reason = $"the CUDA device could not be opened ({e.Message.TrimEnd('.')})";
            return false;
        }
    }

    // The rank among this node's ranks that OpenMPI's launcher sets (0 outside mpirun).
    private static int LocalRank() =>
        int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_RANK"), System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out int rank) && rank >= 0 ? rank : 0;

    /// <summary>
    /// ILGPU's CPU accelerator, which runs the GPU kernels as they are, groups and barriers included (tests and debugging).
    /// </summary>
    /// <param name="device">Its shape (threads per warp, warps per multiprocessor, multiprocessors); default two-thread
    /// groups on one multiprocessor. Every thread of a group is an OS thread that meets the others at each barrier, so on a
    /// small machine the smallest groups are by far the fastest (measured on 2 cores: a 10-λ fit's descent took 0.2 s with
    /// groups of 2, 2.5 s with 4 and 1.7–5 s with ILGPU's default 16); the race tests use wider groups.</param>
    /// <param name="groupSize">Threads per group; default the largest the device allows, at most 256.</param>
    /// <param name="mode">How groups are scheduled; <see cref="CPUAcceleratorMode.Parallel"/> runs them on several threads.</param>
    public static IlgpuBackend CreateCpu(CPUDevice? device = null, int? groupSize = null, CPUAcceleratorMode mode = CPUAcceleratorMode.Parallel)
    {
        CPUDevice shape = device ?? new CPUDevice(2, 1, 1);
        var context = Context.Create(builder => builder.CPU(shape).Optimize(OptimizationLevel.O1));
        try
        {
            Accelerator accelerator = context.CreateCPUAccelerator(0, mode);
            return new IlgpuBackend(context, accelerator, "ilgpu-cpu", groupSize);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public IBoundDesign Bind(IColumnSource x) => new IlgpuBoundDesign(this, x);

    /// <summary>Releases the accelerator and the ILGPU context.</summary>
    public void Dispose()
    {
        _accelerator.Dispose();
        _context.Dispose();
    }

    /// <summary>Every kernel, loaded once for the accelerator (explicitly grouped launches: a config, then the arguments).</summary>
    internal sealed class KernelSet(Accelerator accelerator)
    {
        public Action<KernelConfig, DesignView, ArrayView<double>, int, ArrayView<double>, int, ArrayView<double>, ArrayView<double>, ArrayView<double>> ColumnMoments { get; } =
            accelerator.LoadStreamKernel<DesignView, ArrayView<double>, int, ArrayView<double>, int, ArrayView<double>, ArrayView<double>, ArrayView<double>>(ColumnMomentsKernel.Run);

        public Action<KernelConfig, ArrayView<double>, int, ArrayView<double>> ResidualSums { get; } =
            accelerator.LoadStreamKernel<ArrayView<double>, int, ArrayView<double>>(ResidualSumsKernel.Run);

        public Action<KernelConfig, DesignView, ArrayView<int>, int, ArrayView<double>, int, ArrayView<double>, TransformView, ArrayView<double>, BoundView> BatchedGradient { get; } =
            accelerator.LoadStreamKernel<DesignView, ArrayView<int>, int, ArrayView<double>, int, ArrayView<double>, TransformView, ArrayView<double>, BoundView>(BatchedGradientKernel.Run);

        public Action<KernelConfig, DesignView, ArrayView<int>, ArrayView<double>, int, ArrayView<double>, ArrayView<double>> RowDistances { get; } =
            accelerator.LoadStreamKernel<DesignView, ArrayView<int>, ArrayView<double>, int, ArrayView<double>, ArrayView<double>>(RowDistancesKernel.Run);

        public Action<KernelConfig, DesignView, DescentShared, DescentEntries, DescentProblems, int> ActiveSetDescent { get; } =
            accelerator.LoadStreamKernel<DesignView, DescentShared, DescentEntries, DescentProblems, int>(ActiveSetDescentKernel.Run);
    }
}
