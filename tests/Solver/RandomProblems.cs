using GpuEnet.Kernels;

namespace GpuEnet.Tests.Solver;

/// <summary>Seeded random regression problems with correlated, mixed-scale columns.</summary>
internal static class RandomProblems
{
    public static (DenseMatrix X, double[] Y) Make(int n, int p, int seed, double rho = 0.3, int nonzero = 5)
    {
        var rng = new Random(seed);
        var values = new double[n * p];
        var shared = new double[n];
        for (int i = 0; i < n; i++)
        {
            shared[i] = Gaussian(rng);
        }

        for (int j = 0; j < p; j++)
        {
            double scale = 0.5 + (3 * rng.NextDouble());
            double shift = (rng.NextDouble() - 0.5) * 10;
            for (int i = 0; i < n; i++)
            {
                values[(j * n) + i] = shift + (scale * ((Math.Sqrt(rho) * shared[i]) + (Math.Sqrt(1 - rho) * Gaussian(rng))));
            }
        }

        var x = new DenseMatrix(n, p, values);
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < Math.Min(nonzero, p); j++)
            {
                s += (j % 2 == 0 ? 1 : -1) * x[i, j] * (1.0 / (1 + j));
            }

            y[i] = s + Gaussian(rng);
        }

        return (x, y);
    }

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
