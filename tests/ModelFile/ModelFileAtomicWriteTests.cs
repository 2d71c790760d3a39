using GpuEnet.Host.ModelFile;
using GpuEnet.Solver.Model;
using Xunit;
using static GpuEnet.Tests.ModelFile.ModelFileTestSupport;

namespace GpuEnet.Tests.ModelFile;

/// <summary>A failed write leaves the previous file untouched and no temporary file behind.</summary>
public sealed class ModelFileAtomicWriteTests : IDisposable
{
    private static readonly byte[] s_previous = "previous model"u8.ToArray();
    private readonly string _folder = Directory.CreateTempSubdirectory("gpuenet-atomic-").FullName;

    private string Target => Path.Combine(_folder, "model.gpuenet");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    [InlineData(5000)]
    public void StreamFailureMidwayLeavesExistingFileAndNoTemp(long failAfter)
    {
        File.WriteAllBytes(Target, s_previous);
        EnetModel model = ModelBuilder.Realistic(41);
        Assert.Throws<IOException>(() => ModelWriter.Write(model, Target, s => new FailingStream(s, failAfter)));
        AssertOnlyPrevious();
    }

    [Fact]
    public void SerialisationFailureMidwayLeavesExistingFileAndNoTemp()
    {
        File.WriteAllBytes(Target, s_previous);
        EnetModel model = ModelBuilder.Realistic(42);

        // The model turns inconsistent while it is being written (a coefficient array replaced by null after the
        // writer validated it): the writer fails half way through the file.
        bool sabotaged = false;
        Assert.ThrowsAny<Exception>(() => ModelWriter.Write(model, Target, s =>
        {
            if (!sabotaged)
            {
                sabotaged = true;
                model.Paths[^1].Beta[^1] = null!;
            }

            return s;
        }));
        AssertOnlyPrevious();
    }

    [Fact]
    public void InvalidModelIsRefusedBeforeAnythingIsWritten()
    {
        File.WriteAllBytes(Target, s_previous);
        EnetModel good = ModelBuilder.Small(43);
        var bad = new EnetModel
        {
            Features = good.Features,
            Preprocessing = good.Preprocessing,
            Paths = good.Paths,
            Selected = new Selection(5, 0, SelectionRule.Min),
            Training = good.Training,
            FeatureScale = good.FeatureScale,
        };
        var e = Assert.Throws<ArgumentException>(() => ModelWriter.Write(bad, Target));
        Assert.Contains("selected path", e.Message, StringComparison.Ordinal);
        AssertOnlyPrevious();
    }

    [Fact]
    public void SuccessfulWriteReplacesTheFileAndLeavesNoTemp()
    {
        File.WriteAllBytes(Target, s_previous);
        EnetModel model = ModelBuilder.Small(44);
        ModelWriter.Write(model, Target);
        Assert.Equal([Target], Directory.GetFiles(_folder));
        ModelAssert.Equal(model, ModelReader.Read(Target));
    }

    private void AssertOnlyPrevious()
    {
        Assert.Equal([Target], Directory.GetFiles(_folder));
        Assert.Equal(s_previous, File.ReadAllBytes(Target));
    }
}
