using System.Globalization;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.ModelFile;

/// <summary>
/// The invariants every stored model satisfies. The writer refuses a model that breaks one (so every file it writes
/// reads back), the reader refuses a file that decodes to one, and the predictor relies on them.
/// </summary>
internal static class ModelInvariants
{
    /// <summary>The first broken invariant as a phrase, or null when the model is consistent.</summary>
    public static string? FindProblem(EnetModel? model)
    {
        if (model is null)
        {
            return "the model is null";
        }

        if (model.Features is null || Array.IndexOf(model.Features, null) >= 0)
        {
            return "the feature names are missing";
        }

        if (model.Target is null)
        {
            return "the target name is missing";
        }

        int p = model.Features.Length;
        if (model.FeatureScale is null || model.FeatureScale.Length != p)
        {
            return Invariant($"there are {model.FeatureScale?.Length ?? 0} feature scales for {p} features");
        }

        if (model.StabilityFrequency is not null && model.StabilityFrequency.Length != p)
        {
            return Invariant($"there are {model.StabilityFrequency.Length} stability frequencies for {p} features");
        }

        string? problem = PreprocessingProblem(model.Preprocessing, p);
        if (problem is not null)
        {
            return problem;
        }

        if (model.Paths is null || model.Paths.Length == 0)
        {
            return "the model has no path";
        }

        for (int i = 0; i < model.Paths.Length; i++)
        {
            problem = PathProblem(model.Paths[i], p);
            if (problem is not null)
            {
                return Invariant($"path {i}: {problem}");
            }
        }

        Selection? selected = model.Selected;
        if (selected is null)
        {
            return "the selection is missing";
        }

        if ((uint)selected.PathIndex >= (uint)model.Paths.Length)
        {
            return Invariant($"the selected path {selected.PathIndex} does not exist ({model.Paths.Length} paths)");
        }

        if ((uint)selected.LambdaIndex >= (uint)model.Paths[selected.PathIndex].Count)
        {
            return Invariant($"the selected λ index {selected.LambdaIndex} is outside path {selected.PathIndex}");
        }

        if (!Enum.IsDefined(selected.Rule))
        {
            return "the selection rule is unknown";
        }

        TrainingInfo? training = model.Training;
        if (training is null || training.Device is null || training.Precision is null || training.SoftwareVersion is null
            || training.DataFingerprint is null)
        {
            return "the training information is missing";
        }

        return null;
    }

    private static string? PreprocessingProblem(FeaturePreprocessing? prep, int p)
    {
        if (prep is null || prep.InputColumns is null || Array.IndexOf(prep.InputColumns, null) >= 0
            || prep.FillValues is null || prep.IndicatorColumns is null)
        {
            return "the preprocessing is missing";
        }

        if (!Enum.IsDefined(prep.Impute))
        {
            return "the impute strategy is unknown";
        }

        int m = prep.InputColumns.Length;
        if (prep.FillValues.Length != m)
        {
            return Invariant($"there are {prep.FillValues.Length} fill values for {m} input columns");
        }

        if ((long)m + prep.IndicatorColumns.Length != p)
        {
            return Invariant($"{m} input columns and {prep.IndicatorColumns.Length} missing indicators do not make {p} features");
        }

        foreach (int c in prep.IndicatorColumns)
        {
            if ((uint)c >= (uint)m)
            {
                return Invariant($"a missing indicator refers to input column {c} of {m}");
            }
        }

        return null;
    }

    private static string? PathProblem(EnetPath? path, int p)
    {
        if (path is null || path.Lambda is null || path.Intercept is null || path.Beta is null || path.DevRatio is null
            || path.Df is null || path.DualGap is null)
        {
            return "an array is missing";
        }

        int count = path.Lambda.Length;
        if (count == 0)
        {
            return "it has no λ";
        }

        if (path.Intercept.Length != count || path.Beta.Length != count || path.DevRatio.Length != count
            || path.Df.Length != count || path.DualGap.Length != count)
        {
            return "its per-λ arrays differ in length";
        }

        if (!(path.L1Ratio >= 0 && path.L1Ratio <= 1))
        {
            return "l1_ratio is not in [0, 1]";
        }

        for (int k = 0; k < count; k++)
        {
            double lambda = path.Lambda[k];
            if (!double.IsFinite(lambda) || lambda < 0)
            {
                return Invariant($"λ {k} is not a finite non-negative number");
            }

            if (k > 0 && lambda > path.Lambda[k - 1])
            {
                return Invariant($"λ {k} is larger than λ {k - 1} (λ must not increase)");
            }

            if (path.Df[k] < 0)
            {
                return Invariant($"df {k} is negative");
            }

            string? problem = CoefficientProblem(path.Beta[k], p);
            if (problem is not null)
            {
                return Invariant($"λ {k}: {problem}");
            }
        }

        CvCurve? cv = path.Cv;
        if (cv is not null)
        {
            if (cv.Cvm is null || cv.Cvsd is null || cv.Cvm.Length != count || cv.Cvsd.Length != count)
            {
                return "its cross-validation curve does not match its λ";
            }

            if ((uint)cv.IndexMin >= (uint)count || (uint)cv.Index1se >= (uint)count)
            {
                return "its cross-validation indices are outside the path";
            }
        }

        return null;
    }

    private static string? CoefficientProblem(SparseCoefficients? beta, int p)
    {
        if (beta is null || beta.Index is null || beta.Value is null)
        {
            return "the coefficients are missing";
        }

        if (beta.Index.Length != beta.Value.Length)
        {
            return "coefficient indices and values differ in number";
        }

        int previous = -1;
        foreach (int j in beta.Index)
        {
            if (j <= previous || j >= p)
            {
                return Invariant($"coefficient index {j} is out of range or out of order ({p} features)");
            }

            previous = j;
        }

        return null;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
