using System.Globalization;
using GpuEnet.Kernels;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.ModelFile;

/// <summary>
/// Predictions from a stored model on raw input rows: input columns are matched by name, missing values are filled
/// with the learnt fill values, <c>name__missing</c> indicator features are built, and the prediction is
/// intercept + xᵀβ on the original feature scale. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// λ selection follows glmnet's <c>predict(fit, s = λ)</c>: without a λ the selected solution is used; a λ on the path
/// uses that solution exactly; a λ between two path values interpolates the intercept and coefficients linearly in λ
/// between the two bracketing solutions (glmnet's <c>lambda.interp</c>); a λ outside the path clamps to its nearest
/// end. Input errors (missing column, missing value without a fill value, wrong row length) are
/// <see cref="ArgumentException"/>s whose message names the column and the 1-based row.
/// </remarks>
public static class ModelPredictor
{
    /// <summary>Predicts with the selected path and λ.</summary>
    /// <param name="model">The model.</param>
    /// <param name="inputColumns">Names of the columns of <paramref name="rows"/>, in row order.</param>
    /// <param name="rows">Row-major values; NaN marks a missing value.</param>
    /// <returns>One prediction per row.</returns>
    public static double[] Predict(EnetModel model, IReadOnlyList<string> inputColumns, double[][] rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(model.Selected);
        return Predict(model, inputColumns, rows, model.Selected.PathIndex, lambda: null);
    }

    /// <summary>Predicts every row with one (path, λ).</summary>
    /// <param name="model">The model.</param>
    /// <param name="inputColumns">Names of the columns of <paramref name="rows"/>, in row order; may hold columns the model does not use, in any order.</param>
    /// <param name="rows">Row-major values, each row as long as <paramref name="inputColumns"/>; NaN marks a missing value.</param>
    /// <param name="pathIndex">Index into <see cref="EnetModel.Paths"/>.</param>
    /// <param name="lambda">λ on the path's scale; null for the path's chosen λ (see <see cref="DefaultLambdaIndex"/>).</param>
    /// <returns>One prediction per row, on the target's original scale.</returns>
    /// <exception cref="ArgumentException">A model input column is absent, a value is missing without a fill value, or a row has the wrong length.</exception>
    public static double[] Predict(EnetModel model, IReadOnlyList<string> inputColumns, double[][] rows, int pathIndex, double? lambda)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var prepared = new Prepared(model, inputColumns, pathIndex, lambda);
        var result = new double[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            result[i] = prepared.Predict(rows[i], i);
        }

        return result;
    }

    /// <summary>
    /// Predicts every row of a column source with one (path, λ), reading only the columns that the solution needs: those
    /// of the input features with a non-zero coefficient, and those of the input columns whose missing indicator has a
    /// non-zero coefficient. Gives the same predictions, bit for bit, as
    /// <see cref="Predict(EnetModel, IReadOnlyList{string}, double[][], int, double?)"/> on the same rows with NaN at
    /// the missing cells.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="inputColumns">Names of the columns of <paramref name="x"/>, in column order; may hold columns the model does not use, in any order.</param>
    /// <param name="x">
    /// The data, one column per name. A cell is missing when <see cref="IColumnSource.MissingRows"/> lists it (its
    /// stored value, 0, is then ignored) or, in a column that is read, when its value is NaN. A missing cell takes the
    /// column's fill value.
    /// </param>
    /// <param name="pathIndex">Index into <see cref="EnetModel.Paths"/>.</param>
    /// <param name="lambda">λ on the path's scale; null for the path's chosen λ (see <see cref="DefaultLambdaIndex"/>).</param>
    /// <returns>One prediction per row of <paramref name="x"/>.</returns>
    /// <exception cref="ArgumentException">
    /// A model input column is absent, the names do not match the source's column count, or a cell of a model input
    /// without a fill value is missing (the message names the first such 1-based row and its column, as the row overload
    /// does). Missing cells declared by <see cref="IColumnSource.MissingRows"/> are checked in every model input column;
    /// NaN values only in the columns that are read.
    /// </exception>
    public static double[] Predict(EnetModel model, IReadOnlyList<string> inputColumns, IColumnSource x, int pathIndex, double? lambda)
    {
        ArgumentNullException.ThrowIfNull(x);
        var prepared = new Prepared(model, inputColumns, pathIndex, lambda);
        if (x.Columns != inputColumns.Count)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The data has {x.Columns} columns but {inputColumns.Count} column names."), nameof(x));
        }

        return prepared.Predict(x);
    }

    /// <summary>Predicts a single row with one (path, λ); see <see cref="Predict(EnetModel, IReadOnlyList{string}, double[][], int, double?)"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="inputColumns">Names of the values of <paramref name="row"/>.</param>
    /// <param name="row">The values; NaN marks a missing value.</param>
    /// <param name="pathIndex">Index into <see cref="EnetModel.Paths"/>.</param>
    /// <param name="lambda">λ, or null for the path's chosen λ.</param>
    /// <returns>The prediction.</returns>
    public static double Predict(EnetModel model, IReadOnlyList<string> inputColumns, ReadOnlySpan<double> row, int pathIndex, double? lambda) =>
        new Prepared(model, inputColumns, pathIndex, lambda).Predict(row, 0);

    /// <summary>
    /// The λ index used when no λ is given: the selected λ on the selected path; on another path its own
    /// cross-validation choice under the model's selection rule when it has a CV curve, else its last (smallest) λ.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="pathIndex">Index into <see cref="EnetModel.Paths"/>.</param>
    /// <returns>An index into that path's λ.</returns>
    public static int DefaultLambdaIndex(EnetModel model, int pathIndex)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(pathIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(pathIndex, model.Paths.Length);
        if (pathIndex == model.Selected.PathIndex)
        {
            return model.Selected.LambdaIndex;
        }

        EnetPath path = model.Paths[pathIndex];
        return (path.Cv, model.Selected.Rule) switch
        {
            ({ } cv, SelectionRule.Min) => cv.IndexMin,
            ({ } cv, SelectionRule.OneSe) => cv.Index1se,
            _ => path.Count - 1,
        };
    }

    /// <summary>
    /// The intercept and coefficients (original feature scale) at a λ of a path, interpolated as glmnet does.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="pathIndex">Index into <see cref="EnetModel.Paths"/>.</param>
    /// <param name="lambda">λ, or null for <see cref="DefaultLambdaIndex"/>.</param>
    /// <returns>Intercept and sparse coefficients (indices into <see cref="EnetModel.Features"/>).</returns>
    public static (double Intercept, SparseCoefficients Beta) Coefficients(EnetModel model, int pathIndex, double? lambda)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(model.Paths);
        ArgumentOutOfRangeException.ThrowIfNegative(pathIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(pathIndex, model.Paths.Length);
        EnetPath path = model.Paths[pathIndex];
        if (lambda is not { } s)
        {
            int k = DefaultLambdaIndex(model, pathIndex);
            return (path.Intercept[k], path.Beta[k]);
        }

        if (double.IsNaN(s))
        {
            throw new ArgumentException("λ is NaN.", nameof(lambda));
        }

        (int left, int right, double frac) = Bracket(path.Lambda, s);
        if (left == right)
        {
            return (path.Intercept[left], path.Beta[left]);
        }

        double intercept = (frac * path.Intercept[left]) + ((1 - frac) * path.Intercept[right]);
        return (intercept, Blend(path.Beta[left], path.Beta[right], frac));
    }

    /// <summary>
    /// glmnet's <c>lambda.interp</c> for one λ on a decreasing sequence: the bracketing indices and the weight of the
    /// left (larger-λ) one, frac = (s − λ_right) / (λ_left − λ_right); clamped outside the path, exact on a path value.
    /// </summary>
    internal static (int Left, int Right, double Frac) Bracket(double[] lambdas, double s)
    {
        int last = lambdas.Length - 1;
        if (s >= lambdas[0])
        {
            return (0, 0, 1);
        }

        if (s <= lambdas[last])
        {
            return (last, last, 1);
        }

        // λ decreases, so the first k with λ[k+1] ≤ s brackets s: λ[k] > s ≥ λ[k+1].
        int lo = 0;
        int hi = last;
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >>> 1;
            if (lambdas[mid] > s)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        if (lambdas[hi] == s)
        {
            return (hi, hi, 1);
        }

        return (lo, hi, (s - lambdas[hi]) / (lambdas[lo] - lambdas[hi]));
    }

    private static SparseCoefficients Blend(SparseCoefficients a, SparseCoefficients b, double frac)
    {
        var index = new List<int>(Math.Max(a.Count, b.Count));
        var value = new List<double>(Math.Max(a.Count, b.Count));
        int i = 0;
        int k = 0;
        while (i < a.Count || k < b.Count)
        {
            int ja = i < a.Count ? a.Index[i] : int.MaxValue;
            int jb = k < b.Count ? b.Index[k] : int.MaxValue;
            int j = Math.Min(ja, jb);
            double va = ja == j ? a.Value[i++] : 0;
            double vb = jb == j ? b.Value[k++] : 0;
            double v = (frac * va) + ((1 - frac) * vb);
            if (v != 0)
            {
                index.Add(j);
                value.Add(v);
            }
        }

        return new SparseCoefficients([.. index], [.. value]);
    }

    /// <summary>One (model, columns, path, λ) resolved to column positions and a coefficient vector; immutable.</summary>
    private sealed class Prepared
    {
        private readonly FeaturePreprocessing _prep;
        private readonly int[] _position;
        private readonly int _width;
        private readonly double _intercept;
        private readonly SparseCoefficients _beta;

        public Prepared(EnetModel model, IReadOnlyList<string> inputColumns, int pathIndex, double? lambda)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(inputColumns);
            FeaturePreprocessing prep = model.Preprocessing;
            ArgumentNullException.ThrowIfNull(prep);
            int m = prep.InputColumns.Length;
            if (prep.FillValues.Length != m || m + prep.IndicatorColumns.Length != model.Features.Length)
            {
                throw new ArgumentException("The model's preprocessing does not match its features.", nameof(model));
            }

            var byName = new Dictionary<string, int>(inputColumns.Count, StringComparer.Ordinal);
            for (int c = 0; c < inputColumns.Count; c++)
            {
                if (!byName.TryAdd(inputColumns[c], c) && Array.IndexOf(prep.InputColumns, inputColumns[c]) >= 0)
                {
                    throw new ArgumentException($"The input column '{inputColumns[c]}' appears more than once.", nameof(inputColumns));
                }
            }

            _position = new int[m];
            for (int i = 0; i < m; i++)
            {
                if (!byName.TryGetValue(prep.InputColumns[i], out _position[i]))
                {
                    throw new ArgumentException($"The input column '{prep.InputColumns[i]}' that the model needs is missing.", nameof(inputColumns));
                }
            }

            (_intercept, _beta) = Coefficients(model, pathIndex, lambda);
            foreach (int j in _beta.Index)
            {
                if ((uint)j >= (uint)model.Features.Length)
                {
                    throw new ArgumentException("The model has a coefficient index outside its features.", nameof(model));
                }
            }

            foreach (int c in prep.IndicatorColumns)
            {
                if ((uint)c >= (uint)m)
                {
                    throw new ArgumentException("The model has a missing indicator for a column it does not have.", nameof(model));
                }
            }

            _prep = prep;
            _width = inputColumns.Count;
        }

        public double Predict(ReadOnlySpan<double> row, int rowIndex)
        {
            if (row.Length != _width)
            {
                throw new ArgumentException(Invariant($"Row {rowIndex + 1} has {row.Length} values for {_width} input columns."));
            }

            // Every model input is checked, used or not: with --impute none a missing value is an error, as in training.
            double[] fill = _prep.FillValues;
            for (int i = 0; i < _position.Length; i++)
            {
                if (double.IsNaN(row[_position[i]]) && double.IsNaN(fill[i]))
                {
                    throw new ArgumentException(Invariant(
                        $"Row {rowIndex + 1}, column '{_prep.InputColumns[i]}': the value is missing and the model has no fill value for it (it was trained without imputation)."));
                }
            }

            int m = _position.Length;
            double sum = 0;
            int[] index = _beta.Index;
            double[] value = _beta.Value;
            if (_prep.Imputer is { } imputer)
            {
                return _intercept + Imputed(imputer, row, rowIndex);
            }

            for (int k = 0; k < index.Length; k++)
            {
                int j = index[k];
                double x;
                if (j < m)
                {
                    x = row[_position[j]];
                    if (double.IsNaN(x))
                    {
                        x = fill[j];
                    }
                }
                else
                {
                    x = double.IsNaN(row[_position[_prep.IndicatorColumns[j - m]]]) ? 1 : 0;
                }

                sum += value[k] * x;
            }

            return _intercept + sum;
        }

        // Σ β_j x_j over the row's features (inputs, then indicators) after the model's KNN or regression imputer has
        // filled its missing inputs, as training filled a held-out row.
        private double Imputed(CellImputerModel imputer, ReadOnlySpan<double> row, int rowIndex)
        {
            int m = _position.Length;
            var features = new double[m + _prep.IndicatorColumns.Length];
            for (int i = 0; i < m; i++)
            {
                features[i] = row[_position[i]];
            }

            for (int c = 0; c < _prep.IndicatorColumns.Length; c++)
            {
                features[m + c] = double.IsNaN(row[_position[_prep.IndicatorColumns[c]]]) ? 1 : 0;
            }

            try
            {
                imputer.Impute(features, _prep.FillValues);
            }
            catch (InvalidOperationException e)
            {
                throw new ArgumentException(Invariant($"Row {rowIndex + 1}: {e.Message}"), e);
            }

            double sum = 0;
            for (int k = 0; k < _beta.Index.Length; k++)
            {
                sum += _beta.Value[k] * features[_beta.Index[k]];
            }

            return sum;
        }

        // Column-wise data through the row overload (an imputer needs whole rows): one row of every input at a time.
        private double[] PredictByRows(IColumnSource x)
        {
            int n = x.Rows;
            var rows = new double[n * (long)_width];
            var scratch = new double[n];
            for (int c = 0; c < _width; c++)
            {
                var column = x.Column(c, scratch);
                for (int r = 0; r < n; r++)
                {
                    rows[((long)r * _width) + c] = column[r];
                }

                foreach (int r in x.MissingRows(c))
                {
                    rows[((long)r * _width) + c] = double.NaN;
                }
            }

            var result = new double[n];
            for (int r = 0; r < n; r++)
            {
                result[r] = Predict(rows.AsSpan((int)((long)r * _width), _width), r);
            }

            return result;
        }

        /// <summary>Column-wise prediction; per row the terms are added in the same order as <see cref="Predict(ReadOnlySpan{double}, int)"/>.</summary>
        public double[] Predict(IColumnSource x)
        {
            if (_prep.Imputer is not null)
            {
                return PredictByRows(x);
            }

            int n = x.Rows;
            int m = _position.Length;
            double[] fill = _prep.FillValues;
            var sum = new double[n];
            var scratch = new double[n];
            var column = new double[n];

            // The first (row, model input) whose cell is missing without a fill value, as the row overload reports it.
            long firstBad = long.MaxValue;
            void Bad(int row, int input)
            {
                firstBad = Math.Min(firstBad, ((long)row << 32) | (uint)input);
            }

            if (x.HasMissing)
            {
                for (int i = 0; i < m; i++)
                {
                    ReadOnlySpan<int> missing = x.MissingRows(_position[i]);
                    if (missing.Length > 0 && double.IsNaN(fill[i]))
                    {
                        Bad(missing[0], i);
                    }
                }
            }

            int[] index = _beta.Index;
            double[] value = _beta.Value;
            for (int k = 0; k < index.Length; k++)
            {
                int j = index[k];
                int input = j < m ? j : _prep.IndicatorColumns[j - m];
                int c = _position[input];

                // The column with NaN at every missing cell: the row overload's view of it.
                x.Column(c, scratch).CopyTo(column);
                foreach (int r in x.MissingRows(c))
                {
                    column[r] = double.NaN;
                }

                double b = value[k];
                if (j < m)
                {
                    double f = fill[j];
                    for (int r = 0; r < n; r++)
                    {
                        double v = column[r];
                        if (double.IsNaN(v))
                        {
                            v = f;
                        }

                        sum[r] += b * v;
                    }
                }
                else
                {
                    for (int r = 0; r < n; r++)
                    {
                        sum[r] += b * (double.IsNaN(column[r]) ? 1 : 0);
                    }
                }

                if (double.IsNaN(fill[input]))
                {
                    for (int r = 0; r < n; r++)
                    {
                        if (double.IsNaN(column[r]))
                        {
                            Bad(r, input);
                            break;
                        }
                    }
                }
            }

            if (firstBad != long.MaxValue)
            {
                int row = (int)(firstBad >> 32);
                int input = (int)(uint)firstBad;
                throw new ArgumentException(Invariant(
                    $"Row {row + 1}, column '{_prep.InputColumns[input]}': the value is missing and the model has no fill value for it (it was trained without imputation)."));
            }

            for (int r = 0; r < n; r++)
            {
                sum[r] = _intercept + sum[r];
            }

            return sum;
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
