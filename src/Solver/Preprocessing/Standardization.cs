using GpuEnet.Kernels;
using GpuEnet.Solver.Model;

namespace GpuEnet.Solver.Preprocessing;

/// <summary>
/// Everything learnt from the training rows of each problem of a batch — imputation values, centres, scales, the
/// weighted mean of y — computed with two batched passes over X (<see cref="IBoundDesign.ColumnMoments"/>).
/// Held-out rows have weight 0, so nothing here can depend on them.
/// </summary>
internal sealed class Standardization
{
    private Standardization(ColumnTransform transform, double[]? curvature, double[] scale, double[] yMean, double[] nullDeviance, double[]? weightedSum)
    {
        WeightedSum = weightedSum;
        Transform = transform;
        Curvature = curvature;
        Scale = scale;
        YMean = yMean;
        NullDeviance = nullDeviance;
    }

    /// <summary>Centres, inverse scales and fill values (p × B).</summary>
    public ColumnTransform Transform { get; }

    /// <summary>Σ_i w_i x̃_ij² per (j, b) (p × B): 1 for a standardised column with intercept; 0 for a constant column.</summary>
    public double[]? Curvature { get; }

    /// <summary>Σ_i w_i x̃_ij² of entry (j, b) = <paramref name="at"/>; not stored when it is 1 for every usable column.</summary>
    public double CurvatureAt(long at) => Curvature?[at] ?? 1;

    /// <summary>Σ_i w_i x̃_ij of entry <paramref name="at"/>; not stored when columns are centred (then it is 0).</summary>
    public double WeightedSumAt(long at) => WeightedSum?[at] ?? 0;

    /// <summary>Weighted population sd of each imputed column per (j, b) (p × B), 0 for a constant column.</summary>
    public double[] Scale { get; }

    /// <summary>Σ_i w_i x̃_ij per (j, b) (p × B): 0 when centred; the scaled mean without intercept.</summary>
    public double[]? WeightedSum { get; }

    /// <summary>Σ_i w_i y_i per problem (0 without intercept).</summary>
    public double[] YMean { get; }

    /// <summary>Σ_i w_i (y_i − ȳ)² per problem.</summary>
    public double[] NullDeviance { get; }

    /// <summary>Learns the standardisation of every problem. <paramref name="weights"/> is n × B, each column summing to 1.</summary>
    /// <remarks>
    /// Median and mode fills are learnt for the columns with missing cells, and for every column in the problems flagged
    /// in <paramref name="modelProblems"/> (the full-data fits, whose fills a saved model uses at prediction time).
    /// </remarks>
    public static Standardization Learn(IBoundDesign design, ReadOnlySpan<double> y, double[] weights, int batch,
        bool standardize, bool intercept, ImputeStrategy impute, bool[] modelProblems)
    {
        int n = design.Rows, p = design.Columns;
        var source = design.Source;
        long size = (long)p * batch;
        var present = new double[size];
        var sum = new double[size];
        var transform = new ColumnTransform(p, batch);
        design.ColumnMoments(weights, batch, [], present, sum, []);

        for (int j = 0; j < p; j++)
        {
            if (!double.IsFinite(sum[j]))
            {
                throw new ArgumentException($"Feature column {j + 1} contains a missing (NaN) or infinite value; choose an imputation or remove it.");
            }
        }

        var mean = new double[size];
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < p; j++)
            {
                long at = ((long)b * p) + j;
                double presentMean = present[at] > 0 ? sum[at] / present[at] : 0;
                transform.Fill[at] = presentMean;
                mean[at] = presentMean;
            }
        }

        if (impute is ImputeStrategy.Median or ImputeStrategy.Mode)
        {
            LearnRobustFill(source, weights, batch, impute, transform.Fill, modelProblems);
        }

        // Weight of the missing cells per (j, b), summed exactly from the sparse lists: it is exactly 0 when no training
        // row is missing, so nothing below can depend on held-out rows, not even in the last bit.
        var missingWeight = new double[size];
        if (source.HasMissing)
        {
            for (int j = 0; j < p; j++)
            {
                foreach (int i in source.MissingRows(j))
                {
                    for (int b = 0; b < batch; b++)
                    {
                        missingWeight[((long)b * p) + j] += weights[((long)b * n) + i];
                    }
                }
            }

            // Mean of the imputed column: present values plus the fill on missing rows (weights sum to 1).
            for (long at = 0; at < size; at++)
            {
                mean[at] = missingWeight[at] == 0 ? mean[at] : sum[at] + (transform.Fill[at] * missingWeight[at]);
            }
        }

        var squares = new double[size];
        design.ColumnMoments(weights, batch, mean, present, sum, squares);
        // With an intercept the columns are centred (Σ w x̃ = 0); standardised and centred columns have Σ w x̃² = 1.
        // Those p × B arrays are then not stored (0.5 GB at p = 500,000 in a 10-fold CV).
        var curvature = standardize && intercept ? null : new double[size];
        var scale = new double[size];
        var weightedSum = intercept ? null : new double[size];
        for (long at = 0; at < size; at++)
        {
            double deviation = transform.Fill[at] - mean[at];
            double variance = Math.Max(0, squares[at] + (missingWeight[at] * deviation * deviation));
            double magnitude = (mean[at] * mean[at]) + variance;
            bool constant = variance <= 1e-24 * Math.Max(magnitude, 1e-300) || variance == 0;
            double centre = intercept ? mean[at] : 0;
            transform.Centre[at] = centre;
            if (constant)
            {
                transform.InverseScale[at] = 0;
                continue;
            }

            double sd = Math.Sqrt(variance);
            scale[at] = sd;
            double inv = standardize ? 1 / sd : 1;
            transform.InverseScale[at] = inv;
            double offset = mean[at] - centre;
            if (weightedSum is not null)
            {
                weightedSum[at] = offset * inv;
            }

            if (curvature is not null)
            {
                curvature[at] = (variance + (offset * offset)) * inv * inv;
            }
        }

        var yMean = new double[batch];
        var nullDeviance = new double[batch];
        for (int b = 0; b < batch; b++)
        {
            var w = weights.AsSpan(b * n, n);
            double m = intercept ? System.Numerics.Tensors.TensorPrimitives.Dot(w, y) : 0;
            double dev = 0;
            for (int i = 0; i < n; i++)
            {
                double d = y[i] - m;
                dev += w[i] * d * d;
            }

            yMean[b] = m;
            nullDeviance[b] = dev;
        }

        return new Standardization(transform, curvature, scale, yMean, nullDeviance, weightedSum);
    }

    // Median or most frequent present value over each problem's training rows.
    private static void LearnRobustFill(IColumnSource source, double[] weights, int batch, ImputeStrategy impute, double[] fill, bool[] modelProblems)
    {
        int n = source.Rows, p = source.Columns;
        var scratch = new double[n];
        var values = new List<double>(n);
        for (int j = 0; j < p; j++)
        {
            var missing = source.MissingRows(j);
            if (missing.IsEmpty && !modelProblems.Any(m => m))
            {
                continue;
            }

            var x = source.Column(j, scratch);
            var isMissing = new HashSet<int>(missing.ToArray());
            for (int b = 0; b < batch; b++)
            {
                if (missing.IsEmpty && !modelProblems[b])
                {
                    continue;
                }

                values.Clear();
                for (int i = 0; i < n; i++)
                {
                    if (weights[(b * n) + i] > 0 && !isMissing.Contains(i))
                    {
                        values.Add(x[i]);
                    }
                }

                if (values.Count == 0)
                {
                    continue;
                }

                values.Sort();
                fill[((long)b * p) + j] = impute == ImputeStrategy.Median ? Median(values) : Mode(values);
            }
        }
    }

    private static double Median(List<double> sorted)
    {
        int m = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m]);
    }

    // Most frequent value; ties go to the smallest, so the result does not depend on row order.
    private static double Mode(List<double> sorted)
    {
        double best = sorted[0];
        int bestCount = 0;
        for (int i = 0; i < sorted.Count;)
        {
            int k = i;
            while (k < sorted.Count && sorted[k] == sorted[i])
            {
                k++;
            }

            if (k - i > bestCount)
            {
                bestCount = k - i;
                best = sorted[i];
            }

            i = k;
        }

        return best;
    }
}
