using GpuEnet.Kernels;

namespace GpuEnet.Bench;

/// <summary>
/// The simulated design of Friedman, Hastie &amp; Tibshirani (2010, JSS, section 5.1), as bench/compare/gen_data.py
/// builds it: X = √ρ z 1ᵀ + √(1−ρ) E (equal pairwise correlation ρ), β_j = (−1)^j exp(−2(j−1)/20) for the first
/// <c>k</c> features, y = Xβ + σε with σ set for a population signal-to-noise ratio of 3. Seeded, so every benchmark
/// process (BenchmarkDotNet runs each case in its own) sees the same numbers.
/// </summary>
internal sealed class JssDesign
{
    private JssDesign(DenseMatrix x, double[] y)
    {
        X = x;
        Y = y;
    }

    public DenseMatrix X { get; }

    public double[] Y { get; }

    public static JssDesign Generate(int n, int p, double rho, int k = 10, int seed = 1)
    {
        var rng = new Gaussian(seed);
        k = Math.Min(k, p);
        var beta = new double[k];
        double sum = 0, sumSquares = 0;
        for (int j = 0; j < k; j++)
        {
            // j is 0-based here: (−1)^(j+1) exp(−2 j / 20).
            beta[j] = (j % 2 == 0 ? -1.0 : 1.0) * Math.Exp(-2.0 * j / 20.0);
            sum += beta[j];
            sumSquares += beta[j] * beta[j];
        }

        double sigma = Math.Sqrt(((rho * sum * sum) + ((1 - rho) * sumSquares)) / 3.0);
        var z = new double[n];
        rng.Fill(z);
        var values = new double[(long)n * p];
        rng.Fill(values);
        double a = Math.Sqrt(rho), b = Math.Sqrt(1 - rho);
        var y = new double[n];
        for (int j = 0; j < p; j++)
        {
            var column = values.AsSpan(j * n, n);
            for (int i = 0; i < n; i++)
            {
                column[i] = (a * z[i]) + (b * column[i]);
            }

            if (j < k)
            {
                for (int i = 0; i < n; i++)
                {
                    y[i] += beta[j] * column[i];
                }
            }
        }

        for (int i = 0; i < n; i++)
        {
            y[i] += sigma * rng.Next();
        }

        return new JssDesign(new DenseMatrix(n, p, values), y);
    }

    /// <summary>Standard normals by the Marsaglia polar method over a seeded <see cref="Random"/> (not for statistics, for data).</summary>
    internal sealed class Gaussian(int seed)
    {
#pragma warning disable CA5394 // Benchmark data, not security: a seeded, reproducible generator is the point.
        private readonly Random _random = new(seed);
        private double _spare = double.NaN;

        public double Next()
        {
            if (!double.IsNaN(_spare))
            {
                double s = _spare;
                _spare = double.NaN;
                return s;
            }

            double u, v, q;
            do
            {
                u = (2 * _random.NextDouble()) - 1;
                v = (2 * _random.NextDouble()) - 1;
                q = (u * u) + (v * v);
            }
            while (q >= 1 || q == 0);

            double f = Math.Sqrt(-2 * Math.Log(q) / q);
            _spare = v * f;
            return u * f;
        }

        public int NextInt(int maxExclusive) => _random.Next(maxExclusive);
#pragma warning restore CA5394

        public void Fill(Span<double> destination)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = Next();
            }
        }
    }
}
