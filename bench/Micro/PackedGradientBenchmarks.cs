using BenchmarkDotNet.Attributes;
using GpuEnet.Host.Data;
using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;

namespace GpuEnet.Bench;

/// <summary>
/// The CPU gradient pass over PLINK genotypes (a .bed written to the temporary folder and mapped as the reader maps it),
/// read two ways: from the 2-bit codes (<c>codes</c>, the kernel the CPU backend uses) and decoded to float64 column by
/// column (<c>decoded</c>, the same source seen only as an <see cref="IColumnSource"/>). n = 5,000, p = 4,000, 2 % missing
/// calls, B ∈ {1, 11, 33} residuals with a transform; minor-allele frequencies uniform in [0.05, 0.5] (as
/// bench/plink/make_bed.c draws them) or in [0.001, 0.05] (rare variants, most of a real array).
/// </summary>
[Config(typeof(MicroConfig))]
public class PackedGradientBenchmarks
{
    private const int Rows = 5000;
    private const int Columns = 4000;
    private const int MaxBatch = 33;

    private string _folder = "";
    private PackedGenotypes _genotypes = null!;
    private IBoundDesign _design = null!;
    private ColumnTransform _transform = null!;
    private double[] _residuals = [];
    private double[] _gradient = [];

    [Params("codes", "decoded")]
    public string Read { get; set; } = "";

    [Params("common", "rare")]
    public string Frequencies { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("gpuenet-packed-").FullName;
        string bed = Path.Combine(_folder, "g.bed");
        var (low, high) = Frequencies == "rare" ? (0.001, 0.05) : (0.05, 0.5);
        WriteBed(bed, Rows, Columns, low, high, seed: 11);
        _genotypes = new PackedGenotypes(new MappedFileView(bed), Rows, Columns, kept: null);
        IColumnSource source = Read == "codes" ? _genotypes : new Decoded(_genotypes);
        _design = new CpuBackend().Bind(source);
        _transform = new ColumnTransform(Columns, MaxBatch);
        var random = new Random(3);
        for (int k = 0; k < Columns * MaxBatch; k++)
        {
            _transform.Centre[k] = 2 * random.NextDouble();
            _transform.InverseScale[k] = 1 + random.NextDouble();
        }

        _residuals = new double[Rows * MaxBatch];
        new JssDesign.Gaussian(5).Fill(_residuals);
        _gradient = new double[Columns * MaxBatch];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _design.Dispose();
        _genotypes.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    [Arguments(1)]
    [Arguments(11)]
    [Arguments(33)]
    public double BatchedGradient(int batch)
    {
        _design.BatchedGradient([], _residuals.AsSpan(0, Rows * batch), batch, _transform, _gradient.AsSpan(0, Columns * batch));
        return _gradient[0];
    }

    // Hardy–Weinberg genotypes, 2 % missing, in the .bed layout (3 magic bytes, then ceil(n/4) bytes per variant).
    private static void WriteBed(string path, int n, int p, double low, double high, int seed)
    {
        var random = new Random(seed);
        int bytes = (n + 3) / 4;
        var column = new byte[bytes];
        using var file = File.Create(path);
        file.Write([0x6c, 0x1b, 0x01]);
        for (int j = 0; j < p; j++)
        {
            Array.Clear(column);
            double f = low + ((high - low) * random.NextDouble());
            for (int i = 0; i < n; i++)
            {
                double u = random.NextDouble();
                int code = random.NextDouble() < 0.02 ? 1 : u < f * f ? 0 : u < f * (2 - f) ? 2 : 3;
                column[i / 4] |= (byte)(code << (2 * (i % 4)));
            }

            file.Write(column);
        }
    }

    /// <summary>The genotypes seen only as columns of float64 (what a backend without the code kernel reads).</summary>
    private sealed class Decoded(IColumnSource source) : IColumnSource
    {
        public int Rows => source.Rows;

        public int Columns => source.Columns;

        public Precision Precision => source.Precision;

        public long StorageBytes => source.StorageBytes;

        public bool HasMissing => source.HasMissing;

        public ReadOnlySpan<double> Column(int j, Span<double> scratch) => source.Column(j, scratch);

        public ReadOnlySpan<int> MissingRows(int j) => source.MissingRows(j);
    }
}
