using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using Xunit;

namespace GpuEnet.Tests.Kernels;

/// <summary>
/// The CPU kernels over genotypes where one value dominates a column: the descent's steps over the other rows only
/// (<see cref="GpuEnet.Kernels.Cpu.SparseGenotypes"/>) equal the reference descent, and the gradient over 2-bit codes (read without decoding) equals the reference gradient over the decoded
/// columns: every majority value, missing calls, row counts that leave a partial byte and a partial word, rows dropped
/// from the file, residual counts that fill one, two, three and four-plus vector chunks (codes are read from n ≥ 256 and
/// B ≥ 8; below, every column is decoded), and decoded columns read in blocks of rows (1,001 rows at B = 33: two blocks
/// of 896 rows, the second short).
/// </summary>
public sealed class PackedGradientTests
{
    [Theory]
    [InlineData(37, 1, false)]
    [InlineData(257, 8, false)]
    [InlineData(360, 10, true)]
    [InlineData(261, 13, false)]
    [InlineData(380, 18, true)]
    [InlineData(600, 11, true)]
    [InlineData(1001, 33, false)]
    public void GradientOverCodesEqualsTheDecodedReference(int storedRows, int batch, bool dropRows)
    {
        const int P = 40;
        var x = CodedGenotypes.Random(storedRows, P, seed: storedRows + batch, dropRows);
        int n = x.Rows;
        double[] residuals = KernelContractTests.RandomValues(n * batch, seed: 3 * batch, 0);
        ColumnTransform transform = KernelContractTests.RandomTransform(P, batch, seed: P + batch);
        var random = new Random(batch);
        int[] columns = Enumerable.Range(0, P / 2).Select(_ => random.Next(P)).ToArray();
        using var backend = new CpuBackend(2);
        using IBoundDesign design = backend.Bind(x);
        foreach (int[] list in (int[][])[[], columns])
        {
            foreach (ColumnTransform? t in (ColumnTransform?[])[null, transform])
            {
                double[] expected = ReferenceKernels.BatchedGradient(x, list, residuals, batch, t);
                var gradient = new double[(list.Length == 0 ? P : list.Length) * batch];
                design.BatchedGradient(list, residuals, batch, t, gradient);
                KernelContractTests.AssertClose(expected, gradient, 1e-12,
                    $"stored={storedRows} n={n} B={batch} columns={list.Length} transform={t is not null}");
            }
        }
    }

    [Theory]
    [InlineData(120, 1, false)]
    [InlineData(301, 3, true)]
    public void DescentOverListedRowsEqualsTheReference(int storedRows, int batch, bool dropRows)
    {
        // Half the columns nine-tenths one value: their steps read only the other rows (SparseGenotypes).
        var x = CodedGenotypes.Random(storedRows, 40, seed: 5 * storedRows, dropRows, degenerate: false);
        using var backend = new CpuBackend(2);
        using IBoundDesign design = backend.Bind(x);
        DescentBatch expected = KernelContractTests.DescentProblem(x, batch, seed: 9);
        DescentBatch actual = KernelContractTests.DescentProblem(x, batch, seed: 9);
        ReferenceKernels.ActiveSetDescent(x, expected);
        design.ActiveSetDescent(actual);
        KernelContractTests.AssertClose(expected.Beta.AsSpan(0, expected.Count), actual.Beta.AsSpan(0, actual.Count), 1e-10, "beta");
        KernelContractTests.AssertClose(expected.Residual, actual.Residual, 1e-10, "residual");
        Assert.Equal(expected.Sweeps, actual.Sweeps);
    }

    [Fact]
    public void DescentGivesTheSameBitsFromCodesAndFromDecodedColumns()
    {
        // What keeps K MPI ranks (stepping over fetched, decoded columns) on the path of one process (reading codes).
        var x = CodedGenotypes.Random(257, 40, seed: 21, dropRows: false, degenerate: false);
        DescentBatch fromCodes = KernelContractTests.DescentProblem(x, 2, seed: 4);
        DescentBatch fromValues = KernelContractTests.DescentProblem(x, 2, seed: 4);
        using var backend = new CpuBackend(2);
        using (IBoundDesign design = backend.Bind(x))
        {
            design.ActiveSetDescent(fromCodes);
        }

        using (IBoundDesign design = backend.Bind(new ValuesOnly(x)))
        {
            design.ActiveSetDescent(fromValues);
        }

        Assert.Equal(fromCodes.Beta.AsSpan(0, fromCodes.Count).ToArray(), fromValues.Beta.AsSpan(0, fromValues.Count).ToArray());
        Assert.Equal(fromCodes.Residual, fromValues.Residual);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FetchedCodesReadAsTheirOwner(bool dropRows)
    {
        // An MPI rank keeps the strong-set columns it fetched as their codes: decoded, listed and read as codes, each must
        // be what the owner's source gives, with or without dropped rows (stored rows not exposed).
        var source = CodedGenotypes.Random(stored: 203, columns: 9, seed: 17, dropRows);
        var fetched = Assert.IsType<GpuEnet.Kernels.Mpi.FetchedCodes>(GpuEnet.Kernels.Mpi.FetchedColumns.For(source));
        int[] taken = [1, 4, 5, 8];
        foreach (int j in taken)
        {
            fetched.Add(j, source.Codes(j));
        }

        Assert.True(fetched.HasMissing);
        Assert.Equal(taken.Length * ((203 + 3) / 4), fetched.StorageBytes);
        Assert.Equal(source.StoredRowOf.ToArray(), fetched.StoredRowOf.ToArray());
        foreach (int j in taken)
        {
            Assert.True(fetched.Has(j));
            Assert.Equal(source.Column(j, new double[source.Rows]).ToArray(), fetched.Column(j, new double[source.Rows]).ToArray());
            Assert.Equal(source.MissingRows(j).ToArray(), fetched.MissingRows(j).ToArray());
            Assert.Equal(source.Codes(j).ToArray(), fetched.Codes(j).ToArray());
        }

        Assert.False(fetched.Has(0));
        Assert.Throws<InvalidOperationException>(() => fetched.Column(0, new double[source.Rows]).ToArray());
    }

    /// <summary>A genotype source seen without its codes (as an MPI rank's fetched columns are).</summary>
    private sealed class ValuesOnly(IColumnSource source) : IColumnSource
    {
        public int Rows => source.Rows;

        public int Columns => source.Columns;

        public Precision Precision => source.Precision;

        public long StorageBytes => source.StorageBytes;

        public bool HasMissing => source.HasMissing;

        public ReadOnlySpan<double> Column(int j, Span<double> scratch) => source.Column(j, scratch);

        public ReadOnlySpan<int> MissingRows(int j) => source.MissingRows(j);
    }

    /// <summary>
    /// Genotypes as PLINK stores them (codes 0 = dosage 2, 2 = dosage 1, 3 = dosage 0, 1 = missing), readable both as codes
    /// and decoded; the columns cycle through mostly-0, mostly-1 and mostly-2 values, half of them strongly; unless told
    /// otherwise (a descent needs every column to vary) one is all missing and one constant.
    /// </summary>
    private sealed class CodedGenotypes : IPackedColumnSource
    {
        private readonly byte[] _codes;
        private readonly int _bytes;
        private readonly int[] _kept;
        private readonly double[] _dosage;
        private readonly int[][] _missing;

        private CodedGenotypes(int stored, int columns, byte[] codes, int[] kept, double[] dosage, int[][] missing)
        {
            StoredRows = stored;
            Columns = columns;
            _codes = codes;
            _bytes = (stored + 3) / 4;
            _kept = kept;
            Rows = kept.Length == 0 ? stored : kept.Length;
            _dosage = dosage;
            _missing = missing;
        }

        public static CodedGenotypes Random(int stored, int columns, int seed, bool dropRows, bool degenerate = true)
        {
            var random = new Random(seed);
            int bytes = (stored + 3) / 4;
            var codes = new byte[bytes * columns];
            int[] kept = dropRows ? Enumerable.Range(0, stored).Where(_ => random.Next(5) != 0).ToArray() : [];
            int n = dropRows ? kept.Length : stored;
            var dosage = new double[n * columns];
            var missing = new int[columns][];
            for (int j = 0; j < columns; j++)
            {
                // Every third column nine-tenths one value (read from the codes), the others mixed (decoded).
                int major = j % 3;
                int share = j % 2 == 0 ? 18 : 6;
                var rows = new List<int>();
                int exposed = 0;
                for (int s = 0; s < stored; s++)
                {
                    int value = degenerate && j == 1 ? -1 : degenerate && j == 2 ? 1 : random.Next(20) switch
                    {
                        0 => -1,
                        var u when u <= share => major,
                        _ => random.Next(3),
                    };
                    int code = value switch { 2 => 0, 1 => 2, 0 => 3, _ => 1 };
                    codes[(j * bytes) + (s / 4)] |= (byte)(code << (2 * (s % 4)));
                    if (dropRows && (exposed >= kept.Length || kept[exposed] != s))
                    {
                        continue;
                    }

                    if (value < 0)
                    {
                        rows.Add(exposed);
                    }
                    else
                    {
                        dosage[(j * n) + exposed] = value;
                    }

                    exposed++;
                }

                missing[j] = [.. rows];
            }

            return new CodedGenotypes(stored, columns, codes, kept, dosage, missing);
        }

        public int Rows { get; }

        public int Columns { get; }

        public int StoredRows { get; }

        public ReadOnlySpan<int> StoredRowOf => _kept;

        public Precision Precision => Precision.Packed2Bit;

        public long StorageBytes => (long)Columns * _bytes;

        public bool HasMissing => true;

        public ReadOnlySpan<byte> Codes(int j) => _codes.AsSpan(j * _bytes, _bytes);

        public ReadOnlySpan<double> Column(int j, Span<double> scratch) => _dosage.AsSpan(j * Rows, Rows);

        public ReadOnlySpan<int> MissingRows(int j) => _missing[j];
    }
}
