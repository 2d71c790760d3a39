using System.Diagnostics;
using System.Text;
using GpuEnet.Host.ModelFile;
using GpuEnet.Solver.Model;
using Xunit;
using Xunit.Abstractions;
using static GpuEnet.Tests.ModelFile.ModelFileTestSupport;

namespace GpuEnet.Tests.ModelFile;

/// <summary>
/// The documented size bound, 16 · (stored non-zeros) + (feature names as stored) + 8 · (inputs with a fill value)
/// + 4 KiB, on genomics-shaped models whose p is far larger than their non-zeros; and read/write speed at p = 100,000.
/// </summary>
public sealed class ModelFileSizeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SizeBoundHoldsWhenFeaturesFarOutnumberNonZeros(bool impute)
    {
        EnetModel model = ModelBuilder.Genomics(41, p: 100_000, impute);
        (long nnz, long names, long fills, long bound) = Bound(model);
        Assert.InRange(nnz, 400, 600);
        Assert.Equal(impute ? 100_000 - model.Preprocessing.IndicatorColumns.Length : 0, fills);
        long size = Bytes(model).LongLength;
        output.WriteLine($"impute={impute}: {size} bytes; bound {bound} = 16·{nnz} + {names} name bytes + 8·{fills} fill values + 4096");
        Assert.True(size <= bound, $"{size} bytes exceed the bound {bound}");
    }

    [Fact]
    public void StabilityFrequenciesCostTwelveBytesPerNonZeroFrequency()
    {
        EnetModel model = ModelBuilder.Genomics(42, p: 100_000, impute: true, stability: true);
        (_, _, _, long bound) = Bound(model);
        long frequencies = model.StabilityFrequency!.Count(f => f != 0);
        long size = Bytes(model).LongLength;
        Assert.True(size <= bound + (12 * frequencies), $"{size} bytes exceed {bound} + 12·{frequencies}");
        ModelAssert.Equal(model, Read(Bytes(model)));
    }

    [Fact]
    public void ScalesOfFeaturesWithoutCoefficientsReadAsNaNAndRewriteIsStable()
    {
        EnetModel model = ModelBuilder.Genomics(43, p: 5_000, impute: true);
        byte[] file = Bytes(model);
        EnetModel back = Read(file);
        var used = new HashSet<int>(model.Paths.SelectMany(p => p.Beta).SelectMany(b => b.Index));
        for (int j = 0; j < model.Features.Length; j++)
        {
            if (used.Contains(j))
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(model.FeatureScale[j]), BitConverter.DoubleToInt64Bits(back.FeatureScale[j]));
            }
            else
            {
                Assert.True(double.IsNaN(back.FeatureScale[j]), $"feature {j}");
            }
        }

        // The scales of the features that matter are all kept: writing the read model again gives the same bytes.
        Assert.Equal(file, Bytes(back));
        ModelAssert.Equal(model, back);
    }

    [Fact]
    public void ScaleCountThatDisagreesWithTheCoefficientsIsDamage()
    {
        byte[] file = Bytes(ModelBuilder.Small(44));
        FileSurgery.Section scal = FileSurgery.Find(file, "SCAL");
        uint stored = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(scal.PayloadOffset + 4));
        Assert.True(stored > 1);

        // One scale fewer, with the section shortened to match: well formed, but not one scale per used feature.
        byte[] shorter = [.. file.AsSpan(0, scal.PayloadOffset + (int)scal.Length - 8), .. file.AsSpan(scal.PayloadOffset + (int)scal.Length)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(shorter.AsSpan(scal.HeaderOffset + 4), (ulong)scal.Length - 8);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(shorter.AsSpan(scal.PayloadOffset + 4), stored - 1);
        var e = Assert.Throws<ModelFormatException>(() => Read(FileSurgery.Reseal(shorter)));
        Assert.Contains("SCAL", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HundredThousandFeatureModelReadsAndWritesQuickly()
    {
        // A sparse lasso model and a denser one (100 λ, support up to 5,000: about 250,000 stored non-zeros).
        foreach (EnetModel model in new[]
        {
            ModelBuilder.Genomics(45, p: 100_000, impute: true),
            ModelBuilder.Genomics(46, p: 100_000, impute: true, nlambda: 100, maxSupport: 5_000, stability: true),
        })
        {
            string folder = Directory.CreateTempSubdirectory("gpuenet-size-").FullName;
            try
            {
                string path = Path.Combine(folder, "model.gpuenet");
                ModelWriter.Write(model, path);
                _ = ModelReader.Read(path);
                var write = Stopwatch.StartNew();
                ModelWriter.Write(model, path);
                write.Stop();
                var read = Stopwatch.StartNew();
                EnetModel back = ModelReader.Read(path);
                read.Stop();
                long nnz = model.Paths.Sum(p => p.Beta.Sum(b => (long)b.Count));
                output.WriteLine($"p={model.Features.Length} nnz={nnz}: {new FileInfo(path).Length} bytes, write {write.Elapsed.TotalMilliseconds:F1} ms, read {read.Elapsed.TotalMilliseconds:F1} ms");
                Assert.Equal(model.Features.Length, back.Features.Length);

                // Generous: shared CI machines are slow; a second here would already be a regression.
                Assert.True(write.Elapsed < TimeSpan.FromSeconds(10), $"write took {write.Elapsed}");
                Assert.True(read.Elapsed < TimeSpan.FromSeconds(10), $"read took {read.Elapsed}");
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Stored non-zeros, name bytes as stored, inputs with a fill value, and the documented bound.</summary>
    private static (long Nnz, long Names, long Fills, long Bound) Bound(EnetModel model)
    {
        long nnz = model.Paths.Sum(p => p.Beta.Sum(b => (long)b.Count));
        long names = model.Features.Sum(StoredBytes) + StoredBytes(model.Target);
        long fills = model.Preprocessing.FillValues.Count(v => !double.IsNaN(v));
        return (nnz, names, fills, (16 * nnz) + names + (8 * fills) + 4096);
    }

    /// <summary>A string as the file stores it: its UTF-8 bytes and their LEB128 length.</summary>
    private static long StoredBytes(string text)
    {
        int bytes = Encoding.UTF8.GetByteCount(text);
        int prefix = 1;
        for (int v = bytes >> 7; v != 0; v >>= 7)
        {
            prefix++;
        }

        return bytes + prefix;
    }
}
