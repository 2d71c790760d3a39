using GpuEnet.Kernels;
using GpuEnet.Solver.Model;

namespace GpuEnet.Solver.Imputation;

/// <summary>
/// Regression imputation of one fill set, by chained equations: each feature with missing cells is predicted by a ridge
/// regression on its m most correlated features, fitted on the training rows where it is present. Round 1 starts from
/// the training means; each later round refits every feature with its predictors' cells at the previous round's fills.
/// With draws, a cell takes its prediction plus a normal residual draw (sd: the fit's training residual sd).
/// </summary>
/// <remarks>
/// Correlations come from the backend's batched gradient over all features against the standardised, mean-filled
/// imputed features (weighted by the training rows): O(n·p·p_missing) per fill set. Each fit then reads m + 1 columns
/// and solves an (m + 1) × (m + 1) system. Ridge penalty: 1e-3 × the training weight on the standardised predictors.
/// </remarks>
internal static class RegressionImputer
{
    private const double RidgePenalty = 1e-3;

    // Imputed features per batched correlation pass.
    private const int CorrelationBlock = 128;

    public static CellImputerModel Fill(IBoundDesign design, CellFills cells, int set, double[] w, double[] mean, double[] sd,
        int predictors, int rounds, ImputationDraw draw)
    {
        int p = design.Columns;
        var inverse = sd.Select(s => s > 0 ? 1 / s : 0).ToArray();
        int[] imputed = Enumerable.Range(0, p).Where(j => cells.Start[j + 1] > cells.Start[j] && inverse[j] > 0).ToArray();
        var chosen = Predictors(design, w, mean, inverse, imputed, predictors);
        var models = new FeatureRegression[rounds][];
        for (int round = 0; round < rounds; round++)
        {
            // Every fit of a round reads the previous round's fills; the new ones are written when all are done.
            var previous = cells.Value.AsSpan((int)((long)set * cells.Cells), cells.Cells).ToArray();
            var next = previous.ToArray();
            var fitted = new FeatureRegression[imputed.Length];
            int r = round;
            Parallel.For(0, imputed.Length, k =>
            {
                fitted[k] = FitOne(design.Source, cells, previous, next, imputed[k], chosen[k], w, mean, inverse, draw, r);
            });
            next.CopyTo(cells.Value, (long)set * cells.Cells);
            models[round] = fitted;
        }

        return new CellImputerModel { Method = ImputeStrategy.Regression, Rounds = models };
    }

    // The `count` features most correlated with each imputed feature (|Σ w z_k z_j| on the mean-filled standardised
    // columns), never itself nor a constant feature; ties to the lower index.
    private static int[][] Predictors(IBoundDesign design, double[] w, double[] mean, double[] inverse, int[] imputed, int count)
    {
        int n = design.Rows, p = design.Columns;
        var transform = new ColumnTransform(p, 1);
        mean.CopyTo(transform.Centre, 0);
        inverse.CopyTo(transform.InverseScale, 0);
        mean.CopyTo(transform.Fill, 0);
        var result = new int[imputed.Length][];
        var scratch = new double[n];
        for (int start = 0; start < imputed.Length; start += CorrelationBlock)
        {
            int width = Math.Min(CorrelationBlock, imputed.Length - start);
            var residuals = new double[(long)n * width];
            for (int q = 0; q < width; q++)
            {
                int j = imputed[start + q];
                var x = design.Source.Column(j, scratch);
                var missing = design.Source.MissingRows(j);
                var column = residuals.AsSpan(q * n, n);
                for (int i = 0; i < n; i++)
                {
                    column[i] = w[i] * (x[i] - mean[j]) * inverse[j];
                }

                foreach (int i in missing)
                {
                    column[i] = 0;
                }
            }

            var gradient = new double[(long)p * width];
            design.BatchedGradient([], residuals, width, transform.WithProblemMap(new int[width]), gradient);
            for (int q = 0; q < width; q++)
            {
                int j = imputed[start + q];
                var g = gradient.AsSpan(q * p, p).ToArray();
                result[start + q] = Enumerable.Range(0, p)
                    .Where(k => k != j && inverse[k] > 0)
                    .OrderByDescending(k => Math.Abs(g[k])).ThenBy(k => k)
                    .Take(count).Order().ToArray();
            }
        }

        return result;
    }

    private static FeatureRegression FitOne(IColumnSource source, CellFills cells, double[] previous, double[] next, int j, int[] predictors,
        double[] w, double[] mean, double[] inverse, ImputationDraw draw, int round)
    {
        int n = source.Rows, m = predictors.Length;
        var z = new double[(long)m * n];
        var scratch = new double[n];
        for (int k = 0; k < m; k++)
        {
            int f = predictors[k];
            var column = z.AsSpan(k * n, n);
            source.Column(f, scratch).CopyTo(column);
            var rows = cells.RowsOf(f);
            for (int c = 0; c < rows.Length; c++)
            {
                column[rows[c]] = previous[cells.Start[f] + c];
            }

            for (int i = 0; i < n; i++)
            {
                column[i] = (column[i] - mean[f]) * inverse[f];
            }
        }

        var y = source.Column(j, scratch).ToArray();
        var missing = source.MissingRows(j);
        var usable = (double[])w.Clone();
        foreach (int i in missing)
        {
            usable[i] = 0;
        }

        // Weighted ridge normal equations over [1, z]: the intercept unpenalised.
        int size = m + 1;
        var a = new double[size * size];
        var rhs = new double[size];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double wi = usable[i];
            if (wi == 0)
            {
                continue;
            }

            total += wi;
            rhs[0] += wi * y[i];
            a[0] += wi;
            for (int k = 0; k < m; k++)
            {
                double zk = z[((long)k * n) + i];
                rhs[k + 1] += wi * zk * y[i];
                a[k + 1] += wi * zk;
                for (int l = 0; l <= k; l++)
                {
                    a[((k + 1) * size) + l + 1] += wi * zk * z[((long)l * n) + i];
                }
            }
        }

        // Row 0 was accumulated (Σ w z_k), the predictors' block in its lower triangle: mirror both.
        for (int k = 1; k < size; k++)
        {
            a[k * size] = a[k];
            for (int l = k + 1; l < size; l++)
            {
                a[(k * size) + l] = a[(l * size) + k];
            }
        }

        for (int k = 1; k < size; k++)
        {
            a[(k * size) + k] += RidgePenalty * total;
        }

        var solution = total > 0 ? Cholesky.Solve(a, rhs, size) : null;
        double intercept = solution?[0] ?? mean[j];
        var coefficients = solution is null ? new double[m] : solution[1..];
        double residualSquares = 0;
        for (int i = 0; i < n; i++)
        {
            if (usable[i] > 0)
            {
                double e = y[i] - Predict(intercept, coefficients, z, n, i);
                residualSquares += usable[i] * e * e;
            }
        }

        double residualSd = total > 0 ? Math.Sqrt(residualSquares / total) : 0;
        var cellRows = cells.RowsOf(j);
        for (int c = 0; c < cellRows.Length; c++)
        {
            int i = cellRows[c];
            double value = Predict(intercept, coefficients, z, n, i);
            if (draw.Noise)
            {
                value += residualSd * ImputationRandom.Normal(draw.Seed, draw.Index, i, j, round);
            }

            next[cells.Start[j] + c] = value;
        }

        return new FeatureRegression
        {
            Feature = j,
            Predictors = predictors,
            Centre = predictors.Select(f => mean[f]).ToArray(),
            InverseScale = predictors.Select(f => inverse[f]).ToArray(),
            Coefficients = coefficients,
            Intercept = intercept,
            ResidualSd = residualSd,
        };
    }

    private static double Predict(double intercept, double[] coefficients, double[] z, int n, int i)
    {
        double sum = intercept;
        for (int k = 0; k < coefficients.Length; k++)
        {
            sum += coefficients[k] * z[((long)k * n) + i];
        }

        return sum;
    }
}

/// <summary>A small symmetric positive definite solve (the ridge normal equations).</summary>
internal static class Cholesky
{
    /// <summary>x with A x = b (A row-major, size × size, symmetric positive definite); null when A is not.</summary>
    public static double[]? Solve(double[] a, double[] b, int size)
    {
        var l = new double[size * size];
        for (int i = 0; i < size; i++)
        {
            for (int k = 0; k <= i; k++)
            {
                double sum = a[(i * size) + k];
                for (int t = 0; t < k; t++)
                {
                    sum -= l[(i * size) + t] * l[(k * size) + t];
                }

                if (i == k)
                {
                    if (!(sum > 0))
                    {
                        return null;
                    }

                    l[(i * size) + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[(i * size) + k] = sum / l[(k * size) + k];
                }
            }
        }

        var x = new double[size];
        for (int i = 0; i < size; i++)
        {
            double sum = b[i];
            for (int t = 0; t < i; t++)
            {
                sum -= l[(i * size) + t] * x[t];
            }

            x[i] = sum / l[(i * size) + i];
        }

        for (int i = size - 1; i >= 0; i--)
        {
            double sum = x[i];
            for (int t = i + 1; t < size; t++)
            {
                sum -= l[(t * size) + i] * x[t];
            }

            x[i] = sum / l[(i * size) + i];
        }

        return x;
    }
}
