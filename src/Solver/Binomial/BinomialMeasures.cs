using GpuEnet.Solver.Model;

namespace GpuEnet.Solver.Binomial;

/// <summary>
/// cv.glmnet's held-out measures for the binomial family, per fold (its <c>cv.lognet</c>): deviance with p clamped to
/// [1e-5, 1 − 1e-5], misclassification at 0.5 (a probability of exactly 0.5 counts as an error for either class), mse
/// summed over both classes' indicators (2(y − p)²), each a weighted mean over the fold's rows; and the fold's weighted
/// AUC, where tied predictions of the two classes count ½ (cv.glmnet breaks ties at random, whose mean that is).
/// </summary>
public static class BinomialMeasures
{
    /// <summary>cv.glmnet's prob_min.</summary>
    public const double DevianceClamp = 1e-5;

    /// <summary>One fold's error at one λ: <paramref name="link"/>[q] is η of row <paramref name="rows"/>[q].</summary>
    public static double FoldError(CvMeasure measure, ReadOnlySpan<double> link, ReadOnlySpan<int> rows, double[] y, double[] weights)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(weights);
        if (measure == CvMeasure.Auc)
        {
            return Auc(link, rows, y, weights);
        }

        double sum = 0, total = 0;
        for (int q = 0; q < rows.Length; q++)
        {
            int i = rows[q];
            double w = weights[i];
            if (!(w > 0))
            {
                continue;
            }

            double p = Logistic.Probability(link[q]);
            double e = measure switch
            {
                CvMeasure.Deviance => Deviance(y[i], p),
                CvMeasure.Class => (y[i] == 1 ? p <= 0.5 : p >= 0.5) ? 1 : 0,
                _ => 2 * (y[i] - p) * (y[i] - p),
            };
            sum += w * e;
            total += w;
        }

        return sum / total;
    }

    /// <summary>−2 log-likelihood of one observation with p clamped to [1e-5, 1 − 1e-5].</summary>
    public static double Deviance(double y, double p)
    {
        double c = Math.Clamp(p, DevianceClamp, 1 - DevianceClamp);
        return -2 * ((y * Math.Log(c)) + ((1 - y) * Math.Log(1 - c)));
    }

    /// <summary>
    /// Weighted AUC: Σ over (positive i, negative j) of w_i w_j ([η_i &gt; η_j] + ½[η_i = η_j]) / (W₊ W₋). NaN when the rows
    /// hold one class only.
    /// </summary>
    public static double Auc(ReadOnlySpan<double> link, ReadOnlySpan<int> rows, double[] y, double[] weights)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(weights);
        if (link.Length != rows.Length)
        {
            throw new ArgumentException($"There are {link.Length} links for {rows.Length} rows.", nameof(link));
        }

        var order = new int[rows.Length];
        var keys = link.ToArray();
        for (int q = 0; q < order.Length; q++)
        {
            order[q] = q;
        }

        Array.Sort(keys, order);
        double negativeBelow = 0, positives = 0, negatives = 0, area = 0;
        int start = 0;
        while (start < order.Length)
        {
            // A run of equal predictions: its positives beat the negatives below it and tie with the negatives in it.
            int end = start;
            double runPositive = 0, runNegative = 0;
            while (end < order.Length && keys[end] == keys[start])
            {
                int i = rows[order[end]];
                double w = weights[i] > 0 ? weights[i] : 0;
                if (y[i] == 1)
                {
                    runPositive += w;
                }
                else
                {
                    runNegative += w;
                }

                end++;
            }

            area += runPositive * (negativeBelow + (0.5 * runNegative));
            negativeBelow += runNegative;
            positives += runPositive;
            negatives += runNegative;
            start = end;
        }

        return positives > 0 && negatives > 0 ? area / (positives * negatives) : double.NaN;
    }
}
