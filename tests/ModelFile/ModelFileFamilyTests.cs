using System.Buffers.Binary;
using GpuEnet.Host.ModelFile;
using GpuEnet.Solver.Model;
using Xunit;
using static GpuEnet.Tests.ModelFile.ModelFileTestSupport;

namespace GpuEnet.Tests.ModelFile;

/// <summary>Format 1.1's FAML section: family, class labels and CV measures round-trip; Gaussian files carry none; damage is refused.</summary>
public sealed class ModelFileFamilyTests
{
    // A small model made binomial, its CV curves measured by AUC.
    private static EnetModel Binomial(int seed)
    {
        EnetModel m = ModelBuilder.Realistic(seed, inputs: 12, indicators: 3, paths: 3, nlambda: 8);
        foreach (EnetPath path in m.Paths)
        {
            if (path.Cv is { } cv)
            {
                path.Cv = new CvCurve
                {
                    Measure = CvMeasure.Auc,
                    Cvm = cv.Cvm,
                    Cvsd = cv.Cvsd,
                    LambdaMin = cv.LambdaMin,
                    Lambda1se = cv.Lambda1se,
                    IndexMin = cv.IndexMin,
                    Index1se = cv.Index1se,
                };
            }
        }

        return new EnetModel
        {
            Features = m.Features,
            Preprocessing = m.Preprocessing,
            Paths = m.Paths,
            Selected = m.Selected,
            Training = m.Training,
            FeatureScale = m.FeatureScale,
            StabilityFrequency = m.StabilityFrequency,
            Target = m.Target,
            Family = ModelFamily.Binomial,
            Labels = new ClassLabels("control", "case, severe"),
        };
    }

    [Fact]
    public void FamilyLabelsAndMeasuresRoundTrip()
    {
        EnetModel model = Binomial(41);
        EnetModel back = Read(Bytes(model));
        ModelAssert.Equal(model, back);
        Assert.Equal(ModelFamily.Binomial, back.Family);
        Assert.Equal(model.Labels, back.Labels);
        for (int i = 0; i < model.Paths.Length; i++)
        {
            Assert.Equal(model.Paths[i].Cv?.Measure, back.Paths[i].Cv?.Measure);
        }

        Assert.Contains(back.Paths, p => p.Cv is { Measure: CvMeasure.Auc });
        Assert.Contains(back.Paths, p => p.Cv is null);
    }

    [Fact]
    public void GaussianModelsHaveNoFamilySectionAndReadAsGaussian()
    {
        byte[] file = Bytes(ModelBuilder.Small(42));
        Assert.DoesNotContain(FileSurgery.Sections(file), s => s.Tag == "FAML");
        Assert.Equal(ModelFormat.Minor, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(10)));
        EnetModel back = Read(file);
        Assert.Equal(ModelFamily.Gaussian, back.Family);
        Assert.Null(back.Labels);
        Assert.All(back.Paths.Where(p => p.Cv is not null), p => Assert.Equal(CvMeasure.Mse, p.Cv!.Measure));
    }

    [Theory]
    [InlineData(0, 7, "family code 7")]
    [InlineData(0, 0, "a Gaussian model has class labels")]
    [InlineData(1, 0, "a binomial model has no class labels")]
    public void DamagedFamilySectionsAreRefused(int offset, byte value, string expected)
    {
        byte[] file = Bytes(Binomial(43));
        FileSurgery.Section family = FileSurgery.Find(file, "FAML");
        if (offset == 1)
        {
            // Dropping the labels: flag 0 and the two strings cut out of the payload.
            int labelsEnd = family.PayloadOffset + 2 + 1 + "control".Length + 1 + "case, severe".Length;
            file = [.. file.AsSpan(0, family.PayloadOffset + 2), .. file.AsSpan(labelsEnd)];
            BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(family.HeaderOffset + 4), (ulong)(family.Length - (labelsEnd - family.PayloadOffset - 2)));
        }

        file[family.PayloadOffset + offset] = value;
        var e = Assert.Throws<ModelFormatException>(() => Read(FileSurgery.Reseal(file)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
