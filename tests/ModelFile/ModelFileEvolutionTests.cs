using System.Buffers.Binary;
using GpuEnet.Host.ModelFile;
using GpuEnet.Solver.Model;
using Xunit;
using static GpuEnet.Tests.ModelFile.ModelFileTestSupport;

namespace GpuEnet.Tests.ModelFile;

/// <summary>Forward compatibility: unknown sections and newer minor versions read; newer major versions are refused clearly.</summary>
public sealed class ModelFileEvolutionTests
{
    [Fact]
    public void UnknownSectionsAreSkipped()
    {
        EnetModel model = ModelBuilder.Small(31);
        byte[] file = Bytes(model);
        byte[] extra = new byte[300];
        new Random(1).NextBytes(extra);
        byte[] beforeEnd = FileSurgery.Insert(file, FileSurgery.Find(file, "END").HeaderOffset, "XTRA", extra);
        byte[] first = FileSurgery.Insert(file, FileSurgery.HeaderSize, "ZZZ9", extra);
        byte[] empty = FileSurgery.Insert(file, FileSurgery.Find(file, "PATH").HeaderOffset, "NOTE", []);
        ModelAssert.Equal(model, Read(beforeEnd));
        ModelAssert.Equal(model, Read(first));
        ModelAssert.Equal(model, Read(empty));
    }

    [Fact]
    public void NewerMajorVersionIsRefusedWithAClearMessage()
    {
        byte[] file = Bytes(ModelBuilder.Small(32));
        byte[] newer = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(newer.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(newer.AsSpan(10), 3);
        foreach (byte[] candidate in new[] { newer, FileSurgery.Reseal(newer) })
        {
            var e = Assert.Throws<ModelFormatException>(() => Read(candidate));
            Assert.Contains("2.3", e.Message, StringComparison.Ordinal);
            Assert.Contains("newer GpuEnet", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NewerMinorVersionMayAppendFieldsToKnownSections()
    {
        EnetModel model = ModelBuilder.Small(33);
        byte[] file = Bytes(model);
        FileSurgery.Section training = FileSurgery.Find(file, "TRAI");
        int end = training.PayloadOffset + (int)training.Length;
        byte[] grown = [.. file.AsSpan(0, end), 1, 2, 3, 4, 5, .. file.AsSpan(end)];
        BinaryPrimitives.WriteUInt64LittleEndian(grown.AsSpan(training.HeaderOffset + 4), (ulong)training.Length + 5);

        // Same minor: trailing bytes are damage.
        Assert.Throws<ModelFormatException>(() => Read(FileSurgery.Reseal(grown)));

        BinaryPrimitives.WriteUInt16LittleEndian(grown.AsSpan(10), (ushort)(ModelFormat.Minor + 1));
        ModelAssert.Equal(model, Read(FileSurgery.Reseal(grown)));
    }

    [Fact]
    public void NewerMinorVersionThatAddsSectionsAndFieldsReads()
    {
        // What a 1.x writer with x > 0 may do: new sections anywhere (also before MODL and between a PATH and its
        // COEF), and new fields at the end of known sections.
        EnetModel model = ModelBuilder.Realistic(35, inputs: 40, nlambda: 12);
        byte[] file = Bytes(model);
        byte[] payload = [.. Enumerable.Range(0, 100).Select(i => (byte)(i * 7))];
        file = FileSurgery.Insert(file, FileSurgery.HeaderSize, "NEW1", payload);
        file = FileSurgery.Insert(file, FileSurgery.Find(file, "COEF").HeaderOffset, "NEW2", payload);
        file = FileSurgery.Insert(file, FileSurgery.Find(file, "END").HeaderOffset, "NEW3", []);
        foreach (string tag in new[] { "MODL", "PREP", "SCAL", "STAB", "PATH", "TRAI" })
        {
            FileSurgery.Section section = FileSurgery.Find(file, tag);
            int end = section.PayloadOffset + (int)section.Length;
            file = [.. file.AsSpan(0, end), 9, 8, 7, .. file.AsSpan(end)];
            BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(section.HeaderOffset + 4), (ulong)section.Length + 3);
        }

        Assert.Throws<ModelFormatException>(() => Read(FileSurgery.Reseal(file)));
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(10), 7);
        ModelAssert.Equal(model, Read(FileSurgery.Reseal(file)));

        // Unknown sections alone need no newer minor.
        byte[] sectionsOnly = FileSurgery.Insert(Bytes(model), FileSurgery.HeaderSize, "NEW1", payload);
        ModelAssert.Equal(model, Read(sectionsOnly));
    }

    [Fact]
    public void NotAModelFileSaysSo()
    {
        var e = Assert.Throws<ModelFormatException>(() => Read("x,y\n1,2\n"u8.ToArray()));
        Assert.Contains("not a GpuEnet model file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChecksumMismatchSaysDamaged()
    {
        byte[] file = Bytes(ModelBuilder.Small(34));
        file[file.Length / 2] ^= 0x10;
        var e = Assert.Throws<ModelFormatException>(() => Read(file));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }
}
