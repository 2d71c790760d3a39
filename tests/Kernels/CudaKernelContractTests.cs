using GpuEnet.Kernels;
using GpuEnet.Kernels.Cuda;
using Xunit;
using Xunit.Abstractions;

namespace GpuEnet.Tests.Kernels;

/// <summary>The conformance suite on the CUDA backend; every test is skipped, with the reason printed, without a GPU.</summary>
public sealed class CudaKernelContractTests : KernelContractTests
{
    private static readonly Lazy<string?> s_unavailable = new(() =>
    {
        if (!CudaBackend.TryCreate(out CudaBackend? backend, out string reason))
        {
            return "CUDA backend unavailable: " + reason;
        }

        backend!.Dispose();
        return null;
    });

    /// <summary>Read by <see cref="BackendFactDiscoverer"/>: null when a CUDA device is usable.</summary>
    public static string? UnavailableReason => s_unavailable.Value;

    /// <summary>CudaBoundDesign throws NotSupportedException for a source with missing cells (the host imputes first).</summary>
    public override bool SupportsMissing => false;

    protected override IKernelBackend CreateBackend()
    {
        Assert.True(CudaBackend.TryCreate(out CudaBackend? backend, out string reason), reason);
        return backend!;
    }
}

/// <summary>What can be checked about the CUDA backend on any machine.</summary>
public sealed class CudaBackendTests(ITestOutputHelper output)
{
    [Fact]
    public void TryCreateEitherSucceedsOrSaysWhy()
    {
        bool created = CudaBackend.TryCreate(out CudaBackend? backend, out string reason);
        using (backend)
        {
            output.WriteLine(created ? $"CUDA device: {backend!.Device}" : $"CUDA unavailable: {reason}");
            if (created)
            {
                Assert.StartsWith("cuda:0 (", backend!.Device, StringComparison.Ordinal);
            }
            else
            {
                Assert.Null(backend);
                Assert.False(string.IsNullOrWhiteSpace(reason));
            }
        }
    }

    [Fact]
    public void EveryKernelIsEmbeddedForBothPrecisions()
    {
        foreach (string module in (string[])["batched_gradient", "column_moments", "active_set_descent"])
        {
            string ptx = System.Text.Encoding.ASCII.GetString(CudaContext.ReadPtx(module + ".ptx")).TrimEnd('\0');
            Assert.Contains(".target sm_80", ptx, StringComparison.Ordinal);
            Assert.Contains($".entry {module}_f64(", ptx, StringComparison.Ordinal);
            Assert.Contains($".entry {module}_f32(", ptx, StringComparison.Ordinal);
            // Register arrays must stay in registers: a .local spill would mean an indexing mistake in the kernel.
            Assert.DoesNotContain(".local", ptx, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void BindingMissingCellsIsNotSupported()
    {
        if (!CudaBackend.TryCreate(out CudaBackend? backend, out string reason))
        {
            output.WriteLine($"CUDA unavailable ({reason}); nothing to bind");
            return;
        }

        using (backend)
        {
            var x = new DenseMatrix(3, 2, new double[6]).WithMissing([[1], []]);
            Assert.Throws<NotSupportedException>(() => backend!.Bind(x));
        }
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2 }, 3, new[] { 0, 1, 2 }, false)]
    [InlineData(new[] { 2, 0, 0, 1, 2 }, 3, new[] { 2, 0, 1 }, true)]
    [InlineData(new[] { 0, 0, 1, 1 }, 2, new[] { 0, 1 }, true)]
    [InlineData(new[] { 3, 3, 1 }, 4, new[] { 3, 1 }, true)]
    public void EachUsedTransformProblemIsUploadedOnce(int[] problemOf, int problems, int[] used, bool mapped)
    {
        ColumnTransform transform = new ColumnTransform(5, problems).WithProblemMap(problemOf);
        (int[] actualUsed, int[]? map) = CudaBoundDesign.UsedProblems(transform, problemOf.Length);
        Assert.Equal(used, actualUsed);
        Assert.Equal(mapped, map is not null);
        for (int q = 0; q < problemOf.Length; q++)
        {
            Assert.Equal(problemOf[q], actualUsed[map?[q] ?? q]);
        }
    }

    [Theory]
    [InlineData(100, 1, 1, 1u, 1u)]
    [InlineData(257, 1, 1, 2u, 1u)]
    [InlineData(100, 3, 4, 2u, 1u)]
    [InlineData(100, 8, 8, 4u, 1u)]
    [InlineData(100, 20, 32, 4u, 1u)]
    [InlineData(100, 33, 32, 4u, 2u)]
    [InlineData(0, 5, 8, 0u, 1u)]
    public void TileLaunchCoversEveryColumnAndProblem(int columns, int batch, int problemsPerBlock, uint gridX, uint gridY)
    {
        (int bt, uint x, uint y) = CudaBoundDesign.TileLaunch(columns, batch);
        Assert.Equal((problemsPerBlock, gridX, gridY), (bt, x, y));
    }
}
