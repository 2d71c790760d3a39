using GpuEnet.Kernels;
using GpuEnet.Solver.Imputation;
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
    /// <remarks>
    /// With KNN or regression imputation (<paramref name="settings"/>), every missing cell gets its own value per problem
    /// (<see cref="CellImputer"/>, problem b taking draw <paramref name="draws"/>[b]); the transform's column fills are then 0
    /// and <see cref="ColumnFill"/> keeps the training means, the fallback a saved model uses.
    /// </remarks>
    public static Standardization Learn(IBoundDesign design, ReadOnlySpan<double> y, double[] weights, int batch,
        bool standardize, bool intercept, ImputeStrategy impute, bool[] modelProblems, EnetSettings? settings = null, int[]? draws = null)
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
            LearnRobustFill(design, weights, batch, impute, transform.Fill, modelProblems);
        }

        double[] columnFill = transform.Fill;
        CellImputerModel? imputer = null;
        // Even without a missing training cell the imputer is learnt (no cells, so no work): a saved model still needs
        // the KNN donors, or the (empty) regression rounds, to impute a new row.
        if (impute is ImputeStrategy.Knn or ImputeStrategy.Regression)
        {
            (transform.Cells, imputer) = CellImputer.Learn(design, weights, batch, draws ?? new int[batch], transform.Fill, modelProblems,
                settings ?? new EnetSettings { Impute = impute });
            columnFill = transform.Fill.ToArray();
            Array.Clear(transform.Fill);
        }

        var cells = transform.Cells;

        // Weight of the missing cells per (j, b), summed exactly from the sparse lists: it is exactly 0 when no training
        // row is missing, so nothing below can depend on held-out rows, not even in the last bit.
        var missingWeight = new double[size];
        if (source.HasMissing)
        {
            design.UpdateColumns(batch, missingWeight, (j, entry) =>
            {
                foreach (int i in source.MissingRows(j))
                {
                    for (int b = 0; b < batch; b++)
                    {
                        entry[b] += weights[(b * n) + i];
                    }
                }
            });
            // Mean of the imputed column: present values plus the fill on missing rows (weights sum to 1); with cell
            // fills, each missing cell's own value.
            for (long at = 0; at < size; at++)
            {
                mean[at] = missingWeight[at] == 0 ? mean[at]
                    : cells is null ? sum[at] + (transform.Fill[at] * missingWeight[at])
                    : sum[at] + CellMoments(cells, weights, n, p, at, 0).First;
            }
        }

        var squares = new double[size];
        design.ColumnMoments(weights, batch, mean, present, sum, squares);
        // Σ w (fill − mean)² over the missing cells of each entry.
        var missingSquares = new double[size];
        for (long at = 0; at < size && source.HasMissing; at++)
        {
            if (missingWeight[at] != 0)
            {
                double deviation = transform.Fill[at] - mean[at];
                missingSquares[at] = cells is null ? missingWeight[at] * deviation * deviation : CellMoments(cells, weights, n, p, at, mean[at]).Second;
            }
        }

        var robust = RobustMoments(source, weights, batch, mean, squares, missingWeight, missingSquares, transform.Fill, cells is not null);
        // With an intercept the columns are centred (Σ w x̃ = 0); standardised and centred columns have Σ w x̃² = 1.
        // Those p × B arrays are then not stored (0.5 GB at p = 500,000 in a 10-fold CV).
        var curvature = standardize && intercept ? null : new double[size];
        var scale = new double[size];
        var weightedSum = intercept ? null : new double[size];
        for (long at = 0; at < size; at++)
        {
            bool rescaled = robust.TryGetValue(at, out double robustSd);
            double variance = rescaled ? double.NaN : Math.Max(0, squares[at] + missingSquares[at]);
            bool constant = rescaled ? robustSd == 0
                : variance <= 1e-24 * Math.Max((mean[at] * mean[at]) + variance, 1e-300) || variance == 0;
            double centre = intercept ? mean[at] : 0;
            transform.Centre[at] = centre;
            if (constant)
            {
                transform.InverseScale[at] = 0;
                continue;
            }

            double sd = rescaled ? robustSd : Math.Sqrt(variance);
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
                // (variance + offset²)·inv², written for a rescaled column so that no intermediate square overflows or
                // underflows when standardising (without standardisation it is the column's own second moment).
                double ratio = offset * inv;
                curvature[at] = rescaled ? (standardize ? 1 + (ratio * ratio) : (sd * sd) + (offset * offset))
                    : (variance + (offset * offset)) * inv * inv;
                if (!double.IsFinite(curvature[at]))
                {
                    throw new ArgumentException($"Feature column {(at % p) + 1} has values of magnitude {Math.Max(Math.Abs(mean[at]), sd):G3}: without standardisation its second moment overflows double precision; standardise or rescale it.");
                }
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

        return new Standardization(transform, curvature, scale, yMean, nullDeviance, weightedSum) { ColumnFill = columnFill, Imputer = imputer };
    }

    /// <summary>The column fill per (j, b) (p × B) a saved model uses: the transform's fills, or the training means under cell fills.</summary>
    public double[] ColumnFill { get; private init; } = [];

    /// <summary>The KNN or regression imputer learnt on the first full-data problem; null for other methods.</summary>
    public CellImputerModel? Imputer { get; private init; }

    // (Σ w (v − c), Σ w (v − c)²) over the cells of entry `at` = (j, b).
    private static (double First, double Second) CellMoments(CellFills cells, double[] weights, int n, int p, long at, double c)
    {
        int b = (int)(at / p), j = (int)(at % p);
        return cells.CentredMoments(b, j, weights.AsSpan(b * n, n), c);
    }

    // Limits within which the kernel's Σ w (x − c)² and the mean's square are accurate: far from overflow, and far enough
    // from underflow that terms lost below the smallest normal double cannot matter.
    private const double SmallestSafeSquares = 1e-250;
    private const double LargestSafeSquares = 1e250;
    private const double LargestSafeMean = 1e125;

    /// <summary>
    /// The moments of the (column, problem) entries whose second moment from the kernel is not trustworthy: it overflowed
    /// (a column scaled by 1e160 has squares of 1e320), underflowed (one scaled by 1e-170 has squares of 1e-340, which the
    /// kernel returns as 0 and which would make the column look constant), or the mean's square does. Each such column is
    /// read once more on the host and its moments recomputed on x / 2^k, 2^k near its largest |value|; the mean (updated
    /// in <paramref name="mean"/>) and sd are then exact in the user's units. Returns sd per entry (0: constant).
    /// Entries with exactly zero squares are among these (constant columns), but a column whose values are all 0 costs one
    /// read, not one per problem. Ordinary columns are never touched: this adds no work to well-scaled data.
    /// </summary>
    private static Dictionary<long, double> RobustMoments(IColumnSource source, double[] weights, int batch, double[] mean,
        double[] squares, double[] missingWeight, double[] missingSquares, double[] fill, bool cellFills)
    {
        int n = source.Rows, p = source.Columns;
        var flagged = new Dictionary<int, List<int>>();
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < p; j++)
            {
                long at = ((long)b * p) + j;
                double variance = squares[at] + missingSquares[at];
                if (!(variance >= SmallestSafeSquares && variance <= LargestSafeSquares && Math.Abs(mean[at]) <= LargestSafeMean))
                {
                    if (cellFills && missingWeight[at] != 0)
                    {
                        throw new ArgumentException($"Feature column {j + 1} has values of extreme magnitude (mean {mean[at]:G3}, variance {variance:G3}) and missing cells: KNN and regression imputation need it rescaled first.");
                    }

                    if (!flagged.TryGetValue(j, out var problems))
                    {
                        flagged[j] = problems = [];
                    }

                    problems.Add(b);
                }
            }
        }

        var result = new Dictionary<long, double>();
        if (flagged.Count == 0)
        {
            return result;
        }

        var gate = new object();
        Parallel.ForEach(flagged, () => new double[n], (entry, _, scratch) =>
        {
            int j = entry.Key;
            var x = source.Column(j, scratch);
            var missing = source.MissingRows(j);
            var isMissing = missing.IsEmpty ? null : new HashSet<int>(missing.ToArray());
            double largest = 0;
            foreach (double v in x)
            {
                largest = Math.Max(largest, Math.Abs(v));
            }

            var found = new List<(long At, double Mean, double Sd)>();
            foreach (int b in entry.Value)
            {
                long at = ((long)b * p) + j;
                found.Add(largest == 0 && missingWeight[at] == 0 ? (at, 0, 0)
                    : Rescaled(x, weights.AsSpan(b * n, n), isMissing, missingWeight[at], fill[at], at));
            }

            lock (gate)
            {
                foreach (var (at, m, sd) in found)
                {
                    mean[at] = m;
                    result[at] = sd;
                }
            }

            return scratch;
        }, _ => { });
        return result;
    }

    // Weighted mean and population sd of one imputed column for one problem, computed on x / 2^k (exact) with 2^k near the
    // largest |value| the problem uses, so that no square under- or overflows. Weights sum to 1. Sd 0: constant.
    private static (long At, double Mean, double Sd) Rescaled(ReadOnlySpan<double> x, ReadOnlySpan<double> w, HashSet<int>? isMissing,
        double missingWeight, double fill, long at)
    {
        double largest = missingWeight > 0 ? Math.Abs(fill) : 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (w[i] > 0 && isMissing?.Contains(i) != true)
            {
                largest = Math.Max(largest, Math.Abs(x[i]));
            }
        }

        if (largest == 0 || !double.IsFinite(largest))
        {
            return (at, 0, 0);
        }

        double unit = Math.ScaleB(1.0, Math.ILogB(largest));
        double sum = missingWeight * (fill / unit);
        for (int i = 0; i < x.Length; i++)
        {
            if (w[i] > 0 && isMissing?.Contains(i) != true)
            {
                sum += w[i] * (x[i] / unit);
            }
        }

        double squares = missingWeight * ((fill / unit) - sum) * ((fill / unit) - sum);
        for (int i = 0; i < x.Length; i++)
        {
            if (w[i] > 0 && isMissing?.Contains(i) != true)
            {
                double d = (x[i] / unit) - sum;
                squares += w[i] * d * d;
            }
        }

        // The same relative test as for ordinary columns: a spread below 1e-12 of the magnitude is rounding, not signal.
        bool constant = squares == 0 || squares <= 1e-24 * ((sum * sum) + squares);
        return (at, sum * unit, constant ? 0 : Math.Sqrt(squares) * unit);
    }

    // Median or most frequent present value over each problem's training rows.
    private static void LearnRobustFill(IBoundDesign design, double[] weights, int batch, ImputeStrategy impute, double[] fill, bool[] modelProblems)
    {
        var source = design.Source;
        int n = source.Rows;
        bool anyModel = modelProblems.Any(m => m);
        var scratch = new double[n];
        var values = new List<double>(n);
        design.UpdateColumns(batch, fill, (j, entry) =>
        {
            var missing = source.MissingRows(j);
            if (missing.IsEmpty && !anyModel)
            {
                return;
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
                entry[b] = impute == ImputeStrategy.Median ? Median(values) : Mode(values);
            }
        });
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
