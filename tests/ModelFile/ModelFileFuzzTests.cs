using System.Diagnostics;
using GpuEnet.Host.ModelFile;
using GpuEnet.Solver.Model;
using Xunit;
using static GpuEnet.Tests.ModelFile.ModelFileTestSupport;

namespace GpuEnet.Tests.ModelFile;

/// <summary>Damaged files must end in <see cref="ModelFormatException"/> quickly and without large allocations.</summary>
public sealed class ModelFileFuzzTests
{
    private static readonly TimeSpan s_perReadLimit = TimeSpan.FromSeconds(2);

    [Fact]
    public void TruncationAtEveryOffsetIsRefused()
    {
        byte[] file = Bytes(ModelBuilder.Small(21));
        for (int length = 0; length < file.Length; length++)
        {
            AssertRefused(file[..length], $"truncated to {length} of {file.Length} bytes");
        }
    }

    [Fact]
    public void DamagedPipedStreamsAreRefused()
    {
        byte[] file = Bytes(ModelBuilder.Small(20));
        foreach (byte[] damaged in new[] { file[..(file.Length - 1)], file[..5], "not a model"u8.ToArray(), [] })
        {
            Assert.Throws<ModelFormatException>(() => ModelReader.Read(new PipeStream(damaged)));
        }
    }

    [Fact]
    public void FileTruncatedOnDiskNamesTheFile()
    {
        byte[] file = Bytes(ModelBuilder.Small(22));
        string path = Path.Combine(Path.GetTempPath(), $"gpuenet-trunc-{Guid.NewGuid():N}.model");
        try
        {
            File.WriteAllBytes(path, file[..(file.Length / 2)]);
            var e = Assert.Throws<ModelFormatException>(() => ModelReader.Read(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SingleBitFlipsAreRefused()
    {
        byte[] file = Bytes(ModelBuilder.Small(23));
        var rng = new Random(2024);
        for (int trial = 0; trial < 500; trial++)
        {
            int position = rng.Next(file.Length);
            int bit = rng.Next(8);
            byte[] damaged = (byte[])file.Clone();
            damaged[position] ^= (byte)(1 << bit);
            AssertRefused(damaged, $"bit {bit} of byte {position} flipped");
        }
    }

    [Fact]
    public void RandomGarbageIsRefused()
    {
        var rng = new Random(99);
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] garbage = new byte[rng.Next(0, 5000)];
            rng.NextBytes(garbage);
            AssertRefused(garbage, $"garbage of {garbage.Length} bytes");
        }
    }

    [Fact]
    public void GarbageBehindAValidHeaderAndChecksumIsRefused()
    {
        byte[] header = Bytes(ModelBuilder.Small(24))[..FileSurgery.HeaderSize];
        var rng = new Random(100);
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] body = new byte[rng.Next(0, 3000) + 32];
            rng.NextBytes(body);
            AssertRefused(FileSurgery.Reseal([.. header, .. body]), $"garbage body of {body.Length} bytes");
        }
    }

    [Fact]
    public void ResealedByteCorruptionIsRefusedOrReadsAValidModel()
    {
        // The checksum is recomputed after each edit, so these reach the structural checks: every outcome must be a
        // ModelFormatException or a model that satisfies the invariants (a changed coefficient is still a model).
        byte[] file = Bytes(ModelBuilder.Small(25));
        var rng = new Random(7);
        int refused = 0;
        for (int trial = 0; trial < 600; trial++)
        {
            byte[] damaged = (byte[])file.Clone();
            int edits = 1 + rng.Next(3);
            for (int e = 0; e < edits; e++)
            {
                int position = FileSurgery.HeaderSize + rng.Next(file.Length - FileSurgery.HeaderSize - 32);
                damaged[position] = rng.Next(3) switch
                {
                    0 => (byte)(damaged[position] ^ (1 << rng.Next(8))),
                    1 => 0xFF,
                    _ => (byte)rng.Next(256),
                };
            }

            if (ReadsOrRefuses(FileSurgery.Reseal(damaged), $"trial {trial}") is null)
            {
                refused++;
            }
        }

        Assert.True(refused > 100, $"only {refused} of 600 structural corruptions were refused");
    }

    [Theory]
    [InlineData(0x7FFF_FFFFUL)]
    [InlineData(0x8000_0000UL)]
    [InlineData(0xFFFF_FFFFUL)]
    [InlineData(1UL << 62)]
    [InlineData(ulong.MaxValue)]
    public void AbsurdSectionLengthsAreRefused(ulong length)
    {
        byte[] file = Bytes(ModelBuilder.Small(26));
        foreach (FileSurgery.Section section in FileSurgery.Sections(file))
        {
            AssertRefused(FileSurgery.PatchU64(file, section.HeaderOffset + 4, length), $"{section.Tag} length {length}");
        }
    }

    [Theory]
    [InlineData(0x7FFF_FFFFU)]
    [InlineData(0x8000_0000U)]
    [InlineData(0xFFFF_FFFFU)]
    [InlineData(0x1000_0000U)]
    public void AbsurdCountsAreRefused(uint count)
    {
        byte[] file = Bytes(ModelBuilder.Small(27));
        var targets = new List<(string What, int Offset)>
        {
            ("MODL features", FileSurgery.Find(file, "MODL").PayloadOffset),
            ("MODL paths", FileSurgery.Find(file, "MODL").PayloadOffset + 4),
            ("MODL selected λ", FileSurgery.Find(file, "MODL").PayloadOffset + 12),
            ("FEAT count", FileSurgery.Find(file, "FEAT").PayloadOffset),
            ("PREP inputs", FileSurgery.Find(file, "PREP").PayloadOffset + 1),
            ("SCAL count", FileSurgery.Find(file, "SCAL").PayloadOffset),
            ("STAB count", FileSurgery.Find(file, "STAB").PayloadOffset),
            ("PATH index", FileSurgery.Find(file, "PATH").PayloadOffset),
            ("PATH λ count", FileSurgery.Find(file, "PATH").PayloadOffset + 20),
            ("COEF path", FileSurgery.Find(file, "COEF").PayloadOffset),
            ("COEF first λ", FileSurgery.Find(file, "COEF").PayloadOffset + 4),
            ("COEF λ count", FileSurgery.Find(file, "COEF").PayloadOffset + 8),
            ("COEF first nnz", FileSurgery.Find(file, "COEF").PayloadOffset + 12),
        };
        foreach ((string what, int offset) in targets)
        {
            AssertRefused(FileSurgery.PatchU32(file, offset, count), $"{what} = {count}");
        }
    }

    [Fact]
    public void AbsurdStringLengthIsRefused()
    {
        byte[] file = Bytes(ModelBuilder.Small(28));
        int offset = FileSurgery.Find(file, "FEAT").PayloadOffset + 4;
        foreach (byte[] varint in new[] { new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x07 }, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0x80, 0x80, 0x80, 0x80, 0x80] })
        {
            byte[] damaged = (byte[])file.Clone();
            varint.CopyTo(damaged, offset);
            AssertRefused(FileSurgery.Reseal(damaged), $"name length {Convert.ToHexString(varint)}");
        }
    }

    [Fact]
    public void MissingAndDuplicatedSectionsAreRefused()
    {
        byte[] file = Bytes(ModelBuilder.Small(29));
        foreach (FileSurgery.Section s in FileSurgery.Sections(file).Where(s => s.Tag != "STAB"))
        {
            int size = FileSurgery.SectionHeaderSize + (int)s.Length;
            byte[] without = FileSurgery.Reseal([.. file.AsSpan(0, s.HeaderOffset), .. file.AsSpan(s.HeaderOffset + size)]);
            AssertRefused(without, $"without {s.Tag}");
            if (s.Tag != "END")
            {
                byte[] twice = FileSurgery.Reseal([.. file.AsSpan(0, s.HeaderOffset + size), .. file.AsSpan(s.HeaderOffset)]);
                AssertRefused(twice, $"{s.Tag} twice");
            }
        }
    }

    private static EnetModel? ReadsOrRefuses(byte[] bytes, string what)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        EnetModel? model = null;
        try
        {
            model = Read(bytes);
        }
        catch (ModelFormatException)
        {
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} instead of ModelFormatException: {e.Message}");
        }

        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(clock.Elapsed < s_perReadLimit, $"{what}: took {clock.Elapsed}");

        // Bounded by the file: section buffers, the decoded model and the reader's fixed 64 KiB hash buffer.
        Assert.True(allocated <= (64L * bytes.Length) + (1 << 20), $"{what}: allocated {allocated} bytes for a {bytes.Length}-byte file");
        return model;
    }

    private static void AssertRefused(byte[] bytes, string what)
    {
        EnetModel? model = ReadsOrRefuses(bytes, what);
        Assert.True(model is null, $"{what}: read without error");
    }
}
