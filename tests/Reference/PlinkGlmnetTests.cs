using GpuEnet.Host.Data;
using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Solver;
using Xunit;
using Xunit.Abstractions;

namespace GpuEnet.Tests.Reference;

/// <summary>
/// GpuEnet on a PLINK fileset with missing calls (tests/fixtures/plink, made by make_plink_fixture.R) against glmnet 4.1-6
/// fitted on the mean-imputed A1-dosage matrix, on glmnet's own λ sequence.
/// </summary>
public sealed class PlinkGlmnetTests(ITestOutputHelper output)
{
    private static string Folder => Path.Combine(Fixtures.Root, "plink");

    private static string Bed => Path.Combine(Folder, "geno.bed");

    private static Dataset LoadFixture() => DataLoader.Load(new DataRequest(Bed) { Target = "pheno" });

    /// <summary>
    /// The loaded columns agree with a bit-by-bit decode of the .bed written here from the specification (2 bits per
    /// sample, first sample lowest; 00 → 2, 10 → 1, 11 → 0, 01 → missing), and samples with phenotype -9 are dropped.
    /// </summary>
    [Fact]
    public void ReaderMatchesSpecificationDecode()
    {
        var data = LoadFixture();
        var fam = File.ReadAllLines(Path.ChangeExtension(Bed, ".fam")).Where(l => l.Length > 0).ToArray();
        int samples = fam.Length;
        int[] kept = [.. Enumerable.Range(0, samples).Where(i => fam[i].Split(' ')[5] != "-9")];
        Assert.Equal(samples - kept.Length, data.DroppedRows);
        Assert.Equal(kept.Length, data.X.Rows);
        Assert.Equal(kept.Length, data.Y.Length);

        byte[] bed = File.ReadAllBytes(Bed);
        int perVariant = (samples + 3) / 4;
        var scratch = new double[data.X.Rows];
        long missing = 0;
        for (int j = 0; j < data.X.Columns; j++)
        {
            var column = data.X.Column(j, scratch).ToArray();
            var missingRows = new HashSet<int>(data.X.MissingRows(j).ToArray());
            for (int r = 0; r < kept.Length; r++)
            {
                int s = kept[r];
                int bits = (bed[3 + (j * perVariant) + (s / 4)] >> (2 * (s % 4))) & 3;
                bool low = (bits & 1) != 0, high = (bits & 2) != 0;
                double? dosage = (low, high) switch
                {
                    (false, false) => 2,
                    (false, true) => 1,
                    (true, true) => 0,
                    _ => null,
                };
                Assert.Equal(dosage is null, missingRows.Contains(r));
                if (dosage is { } d)
                {
                    Assert.Equal(d, column[r]);
                }
                else
                {
                    missing++;
                }
            }
        }

        output.WriteLine($"{data.X.Rows} kept samples × {data.X.Columns} variants, {missing} missing calls");
        Assert.True(missing > 0);
    }

    public static TheoryData<double> Ratios() => new() { 1, 0.5 };

    [Theory]
    [MemberData(nameof(Ratios))]
    public void PathMatchesGlmnetOnMeanImputedGenotypes(double a)
    {
        var data = LoadFixture();
        Assert.True(data.X.HasMissing);
        var table = Fixtures.Table(Path.Combine(Folder, $"path_a{Fixtures.A(a)}.csv"));
        var lambda = table["lambda"];
        int p = data.X.Columns;
        var settings = new EnetSettings { L1Ratios = [a], Lambda = lambda, Tolerance = 1e-14, FullPath = true };
        using var backend = new CpuBackend(2);
        var model = new EnetFitter(backend, settings).Fit(new TrainingData { X = data.X, Y = data.Y, Features = data.Features });
        var path = model.Paths[0];
        Assert.Equal(lambda.Length, path.Count);

        // The objective is the one glmnet minimised: on the matrix with each missing call replaced by its variant's mean.
        var imputed = MeanImputed(data.X);
        double largest = Math.Max(Enumerable.Range(1, p).Max(j => table[$"b{j}"].Max(Math.Abs)), 1e-12);
        double worstCoef = 0, worstObjective = double.NegativeInfinity, worstIntercept = 0;
        var ours = new double[p];
        var theirs = new double[p];
        for (int k = 0; k < lambda.Length; k++)
        {
            path.Beta[k].ToDense(ours);
            for (int j = 0; j < p; j++)
            {
                theirs[j] = table[$"b{j + 1}"][k];
                worstCoef = Math.Max(worstCoef, Math.Abs(ours[j] - theirs[j]) / largest);
            }

            worstIntercept = Math.Max(worstIntercept, Math.Abs(path.Intercept[k] - table["a0"][k]));
            double ourObjective = Fixtures.Objective(imputed, data.Y, null, settings, lambda[k], a, path.Intercept[k], ours);
            double glmnetObjective = Fixtures.Objective(imputed, data.Y, null, settings, lambda[k], a, table["a0"][k], theirs);
            worstObjective = Math.Max(worstObjective, (ourObjective - glmnetObjective) / glmnetObjective);
        }

        output.WriteLine($"plink a={a}: max |Δβ|/max|β| = {worstCoef:E2}, max |Δb0| = {worstIntercept:E2}, " +
            $"max (obj − obj_glmnet)/obj_glmnet = {worstObjective:E2}");
        Assert.True(worstObjective <= 1e-7, $"objective above glmnet's by {worstObjective:E2} (relative)");
        Assert.True(worstCoef <= 1e-3, $"coefficients differ from glmnet by {worstCoef:E2} of the largest");
    }

    /// <summary>The algebraic imputation of the packed source equals a fit on the materialised imputed matrix.</summary>
    [Fact]
    public void PackedFitEqualsDenseImputedFit()
    {
        var data = LoadFixture();
        var lambda = Fixtures.Table(Path.Combine(Folder, "path_a1.csv"))["lambda"];
        var settings = new EnetSettings { L1Ratios = [1], Lambda = lambda, Tolerance = 1e-14, FullPath = true };
        using var backend = new CpuBackend(2);
        var packed = new EnetFitter(backend, settings).Fit(new TrainingData { X = data.X, Y = data.Y, Features = data.Features }).Paths[0];
        var dense = new EnetFitter(backend, settings).Fit(new TrainingData { X = MeanImputed(data.X), Y = data.Y, Features = data.Features }).Paths[0];
        int p = data.X.Columns;
        var b1 = new double[p];
        var b2 = new double[p];
        double worst = 0, largest = 1e-12;
        for (int k = 0; k < lambda.Length; k++)
        {
            packed.Beta[k].ToDense(b1);
            dense.Beta[k].ToDense(b2);
            for (int j = 0; j < p; j++)
            {
                worst = Math.Max(worst, Math.Abs(b1[j] - b2[j]));
                largest = Math.Max(largest, Math.Abs(b2[j]));
            }
        }

        output.WriteLine($"packed vs dense-imputed: max |Δβ|/max|β| = {worst / largest:E2}");
        Assert.True(worst / largest <= 1e-6, $"packed and dense-imputed fits differ by {worst / largest:E2} of the largest coefficient");
    }

    /// <summary>A dense copy of <paramref name="x"/> with each missing cell set to its column's mean over the non-missing rows.</summary>
    internal static DenseMatrix MeanImputed(IColumnSource x)
    {
        int n = x.Rows, p = x.Columns;
        var values = new double[(long)n * p];
        var scratch = new double[n];
        for (int j = 0; j < p; j++)
        {
            var dst = values.AsSpan(j * n, n);
            x.Column(j, scratch).CopyTo(dst);
            var missing = x.MissingRows(j);
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += dst[i];
            }

            foreach (int i in missing)
            {
                sum -= dst[i]; // missing cells decode as 0, but do not rely on it
            }

            double mean = missing.Length == n ? 0 : sum / (n - missing.Length);
            foreach (int i in missing)
            {
                dst[i] = mean;
            }
        }

        return new DenseMatrix(n, p, values);
    }
}
