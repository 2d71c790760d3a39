using GpuEnet.Host.ModelFile;
using GpuEnet.Solver.Model;
using Xunit;
using static GpuEnet.Tests.ModelFile.ModelFileTestSupport;

namespace GpuEnet.Tests.ModelFile;

public sealed class ModelFileRoundTripTests
{
    [Theory]
    [InlineData(1, true, true)]
    [InlineData(2, false, true)]
    [InlineData(3, true, false)]
    public void StreamRoundTripKeepsEveryField(int seed, bool stability, bool sameNames)
    {
        EnetModel model = ModelBuilder.Realistic(seed, stability: stability, sameNames: sameNames);
        EnetModel back = Read(Bytes(model));
        ModelAssert.Equal(model, back);
    }

    [Fact]
    public void FileRoundTripKeepsFieldsAndPredictionsBitForBit()
    {
        EnetModel model = ModelBuilder.Realistic(7);
        string folder = Directory.CreateTempSubdirectory("gpuenet-model-").FullName;
        try
        {
            string path = Path.Combine(folder, "model.gpuenet");
            ModelWriter.Write(model, path);
            EnetModel back = ModelReader.Read(path);
            ModelAssert.Equal(model, back);
            double[][] rows = Rows(model, 50, seed: 3);
            for (int i = 0; i < model.Paths.Length; i++)
            {
                foreach (double? lambda in new double?[] { null, model.Paths[i].Lambda[3], model.Paths[i].Lambda[5] * 0.97, 1e9, 0 })
                {
                    ModelAssert.Bits(
                        ModelPredictor.Predict(model, InputColumns(model), rows, i, lambda),
                        ModelPredictor.Predict(back, InputColumns(back), rows, i, lambda));
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ModelWithoutImputationOrCvRoundTrips()
    {
        EnetModel source = ModelBuilder.Realistic(11, indicators: 0, stability: false);
        var model = new EnetModel
        {
            Features = source.Features,
            Preprocessing = FeaturePreprocessing.Identity(source.Features),
            Paths = [.. source.Paths.Select(p => new EnetPath
            {
                L1Ratio = p.L1Ratio, Lambda = p.Lambda, Intercept = p.Intercept, Beta = p.Beta, DevRatio = p.DevRatio,
                Df = p.Df, DualGap = p.DualGap, NullDeviance = p.NullDeviance,
            })],
            Selected = new Selection(0, source.Paths[0].Count - 1, SelectionRule.Last),
            Training = new TrainingInfo(),
            FeatureScale = source.FeatureScale,
        };
        ModelAssert.Equal(model, Read(Bytes(model)));
    }

    [Fact]
    public void CoefficientsSplitIntoManyRunsRoundTrip()
    {
        EnetModel model = ModelBuilder.Realistic(17, inputs: 60, nlambda: 30);
        using var stream = new MemoryStream();
        ModelWriter.Write(model, stream, coefficientChunkBytes: 300);
        byte[] file = stream.ToArray();
        Assert.True(FileSurgery.Sections(file).Count(s => s.Tag == "COEF") > 3 * model.Paths.Length);
        ModelAssert.Equal(model, Read(file));

        // Runs out of order are damage.
        List<FileSurgery.Section> runs = FileSurgery.Sections(file).Where(s => s.Tag == "COEF").ToList();
        FileSurgery.Section a = runs[1];
        FileSurgery.Section b = runs[2];
        int aSize = FileSurgery.SectionHeaderSize + (int)a.Length;
        int bSize = FileSurgery.SectionHeaderSize + (int)b.Length;
        byte[] swapped = FileSurgery.Reseal([.. file.AsSpan(0, a.HeaderOffset), .. file.AsSpan(b.HeaderOffset, bSize),
            .. file.AsSpan(a.HeaderOffset, aSize), .. file.AsSpan(b.HeaderOffset + bSize)]);
        Assert.Throws<ModelFormatException>(() => Read(swapped));
    }

    [Fact]
    public void FillValuesAndStabilityFrequenciesRoundTripInEveryEncoding()
    {
        EnetModel source = ModelBuilder.Realistic(19, inputs: 40, indicators: 4);
        int m = source.Preprocessing.InputColumns.Length;
        int p = source.Features.Length;
        double oddNaN = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_1234);
        var fills = new Func<int, double>[]
        {
            _ => double.NaN, // none: nothing stored
            i => i * 0.5, // every input: values only
            i => i % 10 == 0 ? i : double.NaN, // few: positions of the values
            i => i % 10 == 0 ? double.NaN : -0.0, // most: positions of the NaNs
            i => i == 3 ? oddNaN : double.NaN, // a NaN payload other than double.NaN is a value
        };
        var frequencies = new Func<int, double>[] { _ => 0, j => j % 7 == 0 ? 0.25 : 0, j => j % 7 == 0 ? 0 : 1, j => j == 1 ? -0.0 : 0 };
        for (int f = 0; f < fills.Length; f++)
        {
            var model = new EnetModel
            {
                Features = source.Features,
                Preprocessing = new FeaturePreprocessing
                {
                    InputColumns = source.Preprocessing.InputColumns,
                    Impute = ImputeStrategy.Mode,
                    FillValues = [.. Enumerable.Range(0, m).Select(fills[f])],
                    IndicatorColumns = source.Preprocessing.IndicatorColumns,
                },
                Paths = source.Paths,
                Selected = source.Selected,
                Training = source.Training,
                FeatureScale = source.FeatureScale,
                StabilityFrequency = [.. Enumerable.Range(0, p).Select(frequencies[f % frequencies.Length])],
                Target = source.Target,
            };
            ModelAssert.Equal(model, Read(Bytes(model)));
        }
    }

    [Fact]
    public void NonSeekableStreamReads()
    {
        EnetModel model = ModelBuilder.Small(5);
        ModelAssert.Equal(model, ModelReader.Read(new PipeStream(Bytes(model))));
    }

    [Fact]
    public void WritingIsDeterministic()
    {
        EnetModel model = ModelBuilder.Realistic(9);
        Assert.Equal(Bytes(model), Bytes(model));
    }

    [Fact]
    public void SizeStaysWithinSixteenBytesPerNonZeroPlusNamesPlus4KiB()
    {
        EnetModel model = ModelBuilder.Realistic(13);
        long nnz = model.Paths.Sum(p => p.Beta.Sum(b => (long)b.Count));
        long names = model.Features.Sum(f => (long)System.Text.Encoding.UTF8.GetByteCount(f))
            + System.Text.Encoding.UTF8.GetByteCount(model.Target);
        long size = Bytes(model).LongLength;
        Assert.True(size <= (16 * nnz) + names + 4096, $"{size} bytes for {nnz} non-zeros and {names} name bytes");
    }
}
