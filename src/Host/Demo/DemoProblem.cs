using System.Globalization;
using System.Runtime.CompilerServices;
using GpuEnet.Host.Data;
using GpuEnet.Host.Report;
using GpuEnet.Kernels;

namespace GpuEnet.Host.Demo;

/// <summary>
/// A simulated genomics-like regression problem with known answers: genotype dosages (0, 1, 2) in blocks of
/// correlated neighbouring markers, a handful of causal markers with known effects, and a quantitative trait
/// y = Xβ + noise. Used by the demo command and by tests; the same seed gives the same problem on every machine.
/// </summary>
/// <remarks>
/// Each sample carries two haplotypes. Along a block of <see cref="BlockSize"/> markers a haplotype copies its allele
/// from the previous marker with probability <see cref="Linkage"/> and otherwise draws it afresh with that marker's
/// allele frequency (uniform on [0.05, 0.5]), so correlation between markers decays with distance inside a block
/// (about <see cref="Linkage"/>^distance) and is zero between blocks — a crude picture of linkage disequilibrium.
/// Causal markers sit in distinct blocks where possible. Effect sizes are drawn on the standardised scale
/// (|b| uniform on [0.5, 1], random sign) and converted to the original dosage scale; the noise variance is set
/// so that the simulated signal explains <see cref="Heritability"/> of the variance of y.
/// </remarks>
public sealed class DemoProblem
{
    /// <summary>Markers per correlated block.</summary>
    public const int BlockSize = 50;

    /// <summary>Probability that a haplotype copies the allele of its neighbouring marker.</summary>
    public const double Linkage = 0.7;

    /// <summary>Share of the variance of y explained by the causal markers (in the sample).</summary>
    public const double Heritability = 0.8;

    private DemoProblem(string[] features, DenseMatrix x, double[] y, int[] trueIndices, double[] trueEffects, int seed)
    {
        Features = features;
        X = x;
        Y = y;
        TrueIndices = trueIndices;
        TrueEffects = trueEffects;
        Seed = seed;
    }

    /// <summary>Feature names, <c>snp00001</c>, <c>snp00002</c>, …</summary>
    public string[] Features { get; }

    /// <summary>Dosages, n × p, column-major.</summary>
    public DenseMatrix X { get; }

    /// <summary>The trait, length n.</summary>
    public double[] Y { get; }

    /// <summary>0-based indices of the causal markers, increasing.</summary>
    public int[] TrueIndices { get; }

    /// <summary>Effect of each causal marker on the original (dosage) scale, aligned with <see cref="TrueIndices"/>.</summary>
    public double[] TrueEffects { get; }

    /// <summary>The seed the problem was generated from.</summary>
    public int Seed { get; }

    /// <summary>Number of samples.</summary>
    public int N => X.Rows;

    /// <summary>Number of markers.</summary>
    public int P => X.Columns;

    /// <summary>Generates a problem; deterministic in (<paramref name="n"/>, <paramref name="p"/>, <paramref name="effects"/>, <paramref name="seed"/>).</summary>
    /// <param name="n">Samples (≥ 2).</param>
    /// <param name="p">Markers (≥ 1).</param>
    /// <param name="effects">Causal markers, 0 ≤ effects ≤ p.</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="caseControl">
    /// A case/control target instead of a quantitative one (liability-threshold model): the same quantitative trait is the
    /// liability, and the half of the samples with the higher liability are cases (1), the others controls (0).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">For sizes outside those ranges or n × p beyond one array.</exception>
    public static DemoProblem Generate(int n = 500, int p = 20_000, int effects = 20, int seed = 1, bool caseControl = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(effects);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(effects, p);
        if ((long)n * p > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"A {n} × {p} demo matrix does not fit in one array.");
        }

        var values = new double[(long)n * p];
        int blocks = (p + BlockSize - 1) / BlockSize;
        Parallel.For(0, blocks, () => (new byte[n], new byte[n]), (b, _, haps) =>
        {
            FillBlock(values, n, p, b, seed, haps.Item1, haps.Item2);
            return haps;
        }, _ => { });

        var x = new DenseMatrix(n, p, values);
        var rng = new SplitMix(Mix((ulong)(uint)seed, 0x5EED_EFFEC75UL));
        int[] causal = ChooseCausal(x, effects, blocks, ref rng);
        var beta = new double[causal.Length];
        var signal = new double[n];
        for (int e = 0; e < causal.Length; e++)
        {
            ReadOnlySpan<double> col = x.Column(causal[e], default);
            double sd = StdDev(col);
            double size = 0.5 + (0.5 * rng.NextDouble());
            beta[e] = (rng.NextDouble() < 0.5 ? -size : size) / sd;
            for (int i = 0; i < n; i++)
            {
                signal[i] += beta[e] * col[i];
            }
        }

        double signalVariance = StdDev(signal);
        signalVariance *= signalVariance;
        double noiseSd = signalVariance > 0 ? Math.Sqrt(signalVariance * (1 - Heritability) / Heritability) : 1;
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = signal[i] + (noiseSd * rng.NextGaussian());
        }

        if (caseControl)
        {
            double median = y.Order().ElementAt(n / 2);
            for (int i = 0; i < n; i++)
            {
                y[i] = y[i] >= median ? 1 : 0;
            }
        }

        int width = Math.Max(5, p.ToString(CultureInfo.InvariantCulture).Length);
        var names = new string[p];
        for (int j = 0; j < p; j++)
        {
            names[j] = "snp" + (j + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
        }

        return new DemoProblem(names, x, y, causal, beta, seed);
    }

    /// <summary>The problem as a loaded data set (target <c>y</c>, no weights, nothing missing).</summary>
    public Dataset ToDataset() => new()
    {
        Features = Features,
        X = X,
        Y = Y,
        Target = "y",
        Origin = $"demo (n = {N}, p = {P}, {TrueIndices.Length} effects, seed {Seed})",
    };

    /// <summary>Report extras that mark the true effects and describe the simulation.</summary>
    public ReportExtras ToReportExtras() => new()
    {
        TrueEffects = TrueIndices.Select((j, e) => (j, e)).ToDictionary(t => t.j, t => TrueEffects[t.e]),
        MissingCounts = new Dictionary<string, int>(),
        InputRows = N,
        DataOrigin = ToDataset().Origin,
        Notes =
        [
            $"Simulated data: {Markup.Count(P)} markers in correlated blocks of {BlockSize}, {TrueIndices.Length} causal markers, " +
            $"which explain {Heritability:P0} of the variance of y. The true effects are marked in the tables.",
        ],
    };

    /// <summary>How many of the problem's causal markers are among <paramref name="selectedIndices"/> (0-based, any order, duplicates ignored).</summary>
    public static int CountRecovered(DemoProblem problem, int[] selectedIndices)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(selectedIndices);
        var selected = new HashSet<int>(selectedIndices);
        return problem.TrueIndices.Count(selected.Contains);
    }

    // Runs once per block with long inner loops: compile it optimised straight away rather than from tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillBlock(double[] values, int n, int p, int block, int seed, byte[] hapA, byte[] hapB)
    {
        // One generator per block keeps the result independent of how blocks are spread over threads.
        // One 64-bit draw per haplotype and marker: the high half decides "copy the neighbour", the low half the fresh allele.
        var rng = new SplitMix(Mix((ulong)(uint)seed, (ulong)block + 1));
        const ulong copyBelow = (ulong)(Linkage * 4294967296.0);
        int start = block * BlockSize, end = Math.Min(p, start + BlockSize);
        for (int j = start; j < end; j++)
        {
            double freq = 0.05 + (0.45 * rng.NextDouble());
            ulong alleleBelow = (ulong)(freq * 4294967296.0);
            ulong copy = j == start ? 0 : copyBelow;
            Span<double> col = values.AsSpan(j * n, n);
            for (int i = 0; i < n; i++)
            {
                ulong ra = rng.Next(), rb = rng.Next();
                int a = (ra >> 32) < copy ? hapA[i] : ((ra & 0xFFFF_FFFFUL) < alleleBelow ? 1 : 0);
                int b = (rb >> 32) < copy ? hapB[i] : ((rb & 0xFFFF_FFFFUL) < alleleBelow ? 1 : 0);
                hapA[i] = (byte)a;
                hapB[i] = (byte)b;
                col[i] = a + b;
            }
        }
    }

    private static int[] ChooseCausal(DenseMatrix x, int effects, int blocks, ref SplitMix rng)
    {
        // Distinct blocks first (a random order of blocks), then more markers per block if effects > blocks.
        var blockOrder = Enumerable.Range(0, blocks).ToArray();
        for (int i = blockOrder.Length - 1; i > 0; i--)
        {
            int k = (int)(rng.NextDouble() * (i + 1));
            (blockOrder[i], blockOrder[k]) = (blockOrder[k], blockOrder[i]);
        }

        var chosen = new HashSet<int>();
        int attempts = 0;
        while (chosen.Count < effects)
        {
            int block = blockOrder[attempts % blocks];
            int start = block * BlockSize, size = Math.Min(BlockSize, x.Columns - start);
            int j = start + (int)(rng.NextDouble() * size);
            attempts++;

            // A monomorphic marker cannot carry an effect; fall back to any free marker after many tries.
            if (!chosen.Contains(j) && (StdDev(x.Column(j, default)) > 0 || attempts > 20 * (effects + blocks)))
            {
                chosen.Add(j);
            }
        }

        int[] result = [.. chosen];
        Array.Sort(result);
        return result;
    }

    private static double StdDev(ReadOnlySpan<double> v)
    {
        double mean = 0;
        foreach (double a in v)
        {
            mean += a;
        }

        mean /= v.Length;
        double ss = 0;
        foreach (double a in v)
        {
            ss += (a - mean) * (a - mean);
        }

        return Math.Sqrt(ss / v.Length);
    }

    private static ulong Mix(ulong a, ulong b)
    {
        var s = new SplitMix((a * 0x9E3779B97F4A7C15UL) ^ b);
        return s.Next();
    }

    /// <summary>SplitMix64: tiny, fast and good enough for simulation; platform-independent unlike seeded <see cref="Random"/> across versions.</summary>
    private struct SplitMix(ulong state)
    {
        private ulong _state = state;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

        public double NextGaussian()
        {
            // Box–Muller; 1 − u keeps the logarithm finite.
            double u = 1 - NextDouble(), v = NextDouble();
            return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
        }
    }
}
