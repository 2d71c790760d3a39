using GpuEnet.Solver.Model;

namespace GpuEnet.Solver.CrossValidation;

/// <summary>cv.glmnet's statistics from held-out squared errors (type.measure = "mse", grouped).</summary>
public static class CvStatistics
{
    /// <summary>
    /// <paramref name="foldError"/>[k][l] is fold k's weighted mean held-out squared error at λ index l, and
    /// <paramref name="foldWeight"/>[k] the fold's total weight. cvm is the fold-weighted mean; cvsd the standard error
    /// sqrt(weighted mean of (error − cvm)² / (K − 1)); lambda_min the largest λ attaining the minimum; lambda_1se the
    /// largest λ whose cvm ≤ cvm(lambda_min) + cvsd(lambda_min).
    /// </summary>
    public static CvCurve Compute(double[] lambda, double[][] foldError, double[] foldWeight)
    {
        ArgumentNullException.ThrowIfNull(lambda);
        ArgumentNullException.ThrowIfNull(foldError);
        ArgumentNullException.ThrowIfNull(foldWeight);
        int folds = foldError.Length, count = lambda.Length;
        double totalWeight = foldWeight.Sum();
        var cvm = new double[count];
        var cvsd = new double[count];
        for (int l = 0; l < count; l++)
        {
            double m = 0;
            for (int k = 0; k < folds; k++)
            {
                m += foldWeight[k] * foldError[k][l];
            }

            m /= totalWeight;
            double v = 0;
            for (int k = 0; k < folds; k++)
            {
                double d = foldError[k][l] - m;
                v += foldWeight[k] * d * d;
            }

            cvm[l] = m;
            cvsd[l] = Math.Sqrt(v / totalWeight / (folds - 1));
        }

        double best = cvm.Min();
        int indexMin = LargestLambdaWithin(lambda, cvm, best);
        int index1se = LargestLambdaWithin(lambda, cvm, cvm[indexMin] + cvsd[indexMin]);

        return new CvCurve
        {
            Cvm = cvm,
            Cvsd = cvsd,
            LambdaMin = lambda[indexMin],
            Lambda1se = lambda[index1se],
            IndexMin = indexMin,
            Index1se = index1se,
        };
    }

    private static int LargestLambdaWithin(double[] lambda, double[] cvm, double limit)
    {
        int chosen = -1;
        for (int l = 0; l < lambda.Length; l++)
        {
            if (cvm[l] <= limit && (chosen < 0 || lambda[l] > lambda[chosen]))
            {
                chosen = l;
            }
        }

        return chosen;
    }
}
