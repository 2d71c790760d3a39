using GpuEnet.Kernels;
using GpuEnet.Kernels.Ilgpu;
using Xunit;

namespace GpuEnet.Tests.Kernels;

/// <summary>
/// 2-bit genotype storage on the ILGPU backend: a <see cref="Precision.Packed2Bit"/> source (dosages 0, 1, 2 and missing
/// calls) is re-encoded into 2-bit codes on the device, and the moments, the gradient and the descent read it as the
/// plain C# reference reads the decoded column.
/// </summary>
public sealed class IlgpuPackedGenotypeTests
{
    [Fact]
    public void PackedGenotypesGiveTheReferenceMomentsGradientAndDescent()
    {
        // 37 rows: the last byte of each column holds one call only.
        var x = Genotypes(37, 12, seed: 3);
        using var backend = IlgpuBackend.CreateCpu();
        using IBoundDesign design = backend.Bind(x);
        Assert.Equal(12L * 10, design.Traffic.ToDeviceBytes);

        const int Batch = 3;
        double[] weights = KernelContractTests.RandomWeights(37, Batch, seed: 2);
        double[] centre = KernelContractTests.RandomValues(12 * Batch, seed: 4, 1);
        var (present, sum, squares) = (new double[12 * Batch], new double[12 * Batch], new double[12 * Batch]);
        var (p0, s0, q0) = (new double[12 * Batch], new double[12 * Batch], new double[12 * Batch]);
        ReferenceKernels.ColumnMoments(x, weights, Batch, centre, p0, s0, q0);
        design.ColumnMoments(weights, Batch, centre, present, sum, squares);
        KernelContractTests.AssertClose(p0, present, 1e-12, "present weight");
        KernelContractTests.AssertClose(s0, sum, 1e-12, "sum");
        KernelContractTests.AssertClose(q0, squares, 1e-12, "sum of squares");

        double[] residuals = KernelContractTests.RandomValues(37 * Batch, seed: 6, 0);
        ColumnTransform transform = KernelContractTests.RandomTransform(12, Batch, seed: 1);
        var gradient = new double[12 * Batch];
        design.BatchedGradient([], residuals, Batch, transform, gradient);
        KernelContractTests.AssertClose(ReferenceKernels.BatchedGradient(x, [], residuals, Batch, transform), gradient, 1e-12, "gradient");

        DescentBatch expected = KernelContractTests.DescentProblem(x, 2, seed: 7);
        DescentBatch actual = KernelContractTests.DescentProblem(x, 2, seed: 7);
        ReferenceKernels.ActiveSetDescent(x, expected);
        design.ActiveSetDescent(actual);
        KernelContractTests.AssertClose(expected.Beta.AsSpan(0, expected.Count), actual.Beta.AsSpan(0, actual.Count), 1e-10, "beta");
        KernelContractTests.AssertClose(expected.Residual, actual.Residual, 1e-10, "residual");
    }

    private static PackedSource Genotypes(int n, int p, int seed)
    {
        var random = new Random(seed);
        var dosage = new double[n * p];
        var missing = new int[p][];
        for (int j = 0; j < p; j++)
        {
            var rows = new List<int>();
            for (int i = 0; i < n; i++)
            {
                if (random.Next(9) == 0)
                {
                    rows.Add(i); // stored as 0, as PackedGenotypes decodes a missing call
                }
                else
                {
                    dosage[(j * n) + i] = random.Next(3);
                }
            }

            missing[j] = [.. rows];
        }

        return new PackedSource(n, p, dosage, missing);
    }

    /// <summary>Decoded genotypes declared as 2-bit storage, as the PLINK reader's source is.</summary>
    private sealed class PackedSource(int rows, int columns, double[] dosage, int[][] missing) : IColumnSource
    {
        public int Rows => rows;

        public int Columns => columns;

        public Precision Precision => Precision.Packed2Bit;

        public long StorageBytes => (long)columns * ((rows + 3) / 4);

        public bool HasMissing => true;

        public ReadOnlySpan<double> Column(int j, Span<double> scratch) => dosage.AsSpan(j * rows, rows);

        public ReadOnlySpan<int> MissingRows(int j) => missing[j];
    }
}
