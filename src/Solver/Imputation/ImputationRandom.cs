namespace GpuEnet.Solver.Imputation;

/// <summary>
/// The draws of multiple imputation as a pure function of (seed, draw, row, column, round): the same cell gets the same
/// draw whatever the fold, the thread schedule or the other rows, so a held-out row can never change a training cell's draw.
/// </summary>
internal static class ImputationRandom
{
    /// <summary>A uniform value in [0, 1).</summary>
    public static double Uniform(int seed, int draw, int row, int column, int round)
    {
        ulong h = Mix((ulong)(uint)seed ^ 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ (uint)draw);
        h = Mix(h ^ (uint)row);
        h = Mix(h ^ (uint)column);
        h = Mix(h ^ (uint)round);
        return (h >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>A standard normal value (Box–Muller on two independent uniforms).</summary>
    public static double Normal(int seed, int draw, int row, int column, int round)
    {
        double u1 = Uniform(seed, draw, row, column, (2 * round) + 1);
        double u2 = Uniform(seed, draw, row, column, (2 * round) + 2);
        return Math.Sqrt(-2 * Math.Log(1 - u1)) * Math.Cos(2 * Math.PI * u2);
    }

    // SplitMix64's finaliser.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
