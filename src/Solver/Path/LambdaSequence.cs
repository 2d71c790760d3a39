namespace GpuEnet.Solver.Path;

/// <summary>glmnet's default λ sequence: log-spaced from λ_max down to ratio·λ_max.</summary>
internal static class LambdaSequence
{
    /// <summary>The smallest mixing used in λ_max, so that ridge paths start at a finite λ (glmnet's choice).</summary>
    public const double MinimumMixing = 1e-3;

    /// <summary><paramref name="count"/> values from <paramref name="lambdaMax"/> down to ratio·λ_max, log-spaced.</summary>
    public static double[] Default(double lambdaMax, int count, double ratio)
    {
        var lambda = new double[count];
        if (count == 1)
        {
            lambda[0] = lambdaMax;
            return lambda;
        }

        double step = Math.Log(ratio) / (count - 1);
        for (int k = 0; k < count; k++)
        {
            lambda[k] = lambdaMax * Math.Exp(k * step);
        }

        return lambda;
    }
}
