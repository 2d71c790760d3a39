using GpuEnet.Solver.Model;
using Xunit;

namespace GpuEnet.Tests.ModelFile;

/// <summary>Field-by-field equality of models; doubles compared bit for bit (so NaN equals NaN and −0 differs from 0).</summary>
internal static class ModelAssert
{
    public static void Equal(EnetModel expected, EnetModel actual)
    {
        Assert.Equal(expected.Features, actual.Features);
        Assert.Equal(expected.Target, actual.Target);
        Assert.Equal(expected.Family, actual.Family);
        Assert.Equal(expected.Labels, actual.Labels);
        Bits(StoredScale(expected), actual.FeatureScale);
        if (expected.StabilityFrequency is null)
        {
            Assert.Null(actual.StabilityFrequency);
        }
        else
        {
            Bits(expected.StabilityFrequency, actual.StabilityFrequency!);
        }

        Assert.Equal(expected.Preprocessing.InputColumns, actual.Preprocessing.InputColumns);
        Assert.Equal(expected.Preprocessing.Impute, actual.Preprocessing.Impute);
        Bits(expected.Preprocessing.FillValues, actual.Preprocessing.FillValues);
        Assert.Equal(expected.Preprocessing.IndicatorColumns, actual.Preprocessing.IndicatorColumns);
        Assert.Equal(expected.Selected, actual.Selected);
        Assert.Equal(expected.Paths.Length, actual.Paths.Length);
        for (int i = 0; i < expected.Paths.Length; i++)
        {
            EnetPath e = expected.Paths[i];
            EnetPath a = actual.Paths[i];
            Bits([e.L1Ratio, e.NullDeviance], [a.L1Ratio, a.NullDeviance]);
            Bits(e.Lambda, a.Lambda);
            Bits(e.Intercept, a.Intercept);
            Bits(e.DevRatio, a.DevRatio);
            Assert.Equal(e.Df, a.Df);
            Bits(e.DualGap, a.DualGap);
            Assert.Equal(e.Beta.Length, a.Beta.Length);
            for (int k = 0; k < e.Beta.Length; k++)
            {
                Assert.Equal(e.Beta[k].Index, a.Beta[k].Index);
                Bits(e.Beta[k].Value, a.Beta[k].Value);
            }

            if (e.Cv is null)
            {
                Assert.Null(a.Cv);
            }
            else
            {
                Assert.NotNull(a.Cv);
                Bits(e.Cv.Cvm, a.Cv.Cvm);
                Bits(e.Cv.Cvsd, a.Cv.Cvsd);
                Bits([e.Cv.LambdaMin, e.Cv.Lambda1se], [a.Cv.LambdaMin, a.Cv.Lambda1se]);
                Assert.Equal(e.Cv.IndexMin, a.Cv.IndexMin);
                Assert.Equal(e.Cv.Index1se, a.Cv.Index1se);
            }
        }

        TrainingInfo te = expected.Training;
        TrainingInfo ta = actual.Training;
        Assert.Equal((te.N, te.P, te.DroppedRows), (ta.N, ta.P, ta.DroppedRows));
        Assert.Equal((te.Device, te.Precision, te.SoftwareVersion, te.DataFingerprint), (ta.Device, ta.Precision, ta.SoftwareVersion, ta.DataFingerprint));
        Assert.Equal(te.TrainedUtc.UtcTicks, ta.TrainedUtc.UtcTicks);
        Assert.Equal(te.TrainedUtc.Offset, ta.TrainedUtc.Offset);
        Assert.Equal((te.Standardize, te.Intercept), (ta.Standardize, ta.Intercept));
        Bits([te.LoadSeconds, te.SolveSeconds], [ta.LoadSeconds, ta.SolveSeconds]);
    }

    /// <summary>The feature scales a model reads back with: its own for features with a coefficient somewhere, NaN elsewhere.</summary>
    public static double[] StoredScale(EnetModel model)
    {
        var used = new HashSet<int>(model.Paths.SelectMany(p => p.Beta).SelectMany(b => b.Index));
        return [.. model.FeatureScale.Select((s, j) => used.Contains(j) ? s : double.NaN)];
    }

    public static void Bits(double[] expected, double[] actual) =>
        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
}
