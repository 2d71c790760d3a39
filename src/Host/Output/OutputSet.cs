using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using GpuEnet.Host.Cli;

namespace GpuEnet.Host.Output;

/// <summary>
/// Every file one command writes, checked before any work and committed as a set. The one place where GpuEnet
/// decides how an output reaches the disk (docs/robustness.md states the guarantees):
/// <list type="bullet">
/// <item>An output whose canonical path or inode equals an input's, or another output's, is refused before anything
/// is read (symbolic and hard links followed).</item>
/// <item>A regular file (or a name that does not exist yet) is written to a temporary file in the folder of its final
/// target, a symbolic link's target, not the link, and renamed over it only when every output of the set is
/// written and flushed. The temporaries are created by <see cref="Prepare"/>, so a missing folder or a folder
/// without write permission is reported before the data is loaded.</item>
/// <item>A character or block device, a FIFO, a socket and <c>/dev/stdout</c>, <c>/dev/stderr</c>,
/// <c>/dev/fd/N</c> are written in place, never renamed over, at commit time.</item>
/// <item>On failure, on <see cref="Dispose"/> without <see cref="Commit"/>, and on SIGINT or SIGTERM, the temporaries
/// are removed. After SIGKILL they remain as <c>.NAME.GUID.gpuenet-tmp</c>; a temporary holds an exclusive lock
/// while its writer lives, so the next run writing to that folder removes exactly the ones nobody holds.</item>
/// </list>
/// </summary>
public sealed partial class OutputSet : IDisposable
{
    /// <summary>The suffix of every temporary file; leftovers are <c>.NAME.</c>32 hex digits<c>.gpuenet-tmp</c>.</summary>
    public const string TempSuffix = ".gpuenet-tmp";

    private readonly object _gate = new();
    private readonly List<(string Option, string Path)> _inputs = [];
    private readonly List<OutputTarget> _outputs = [];
    private readonly List<PosixSignalRegistration> _signals = [];
    private bool _prepared;
    private bool _committed;
    private volatile bool _signalled;

    /// <summary>Declares a file the command reads (null or empty is ignored); an output may not be the same file.</summary>
    /// <param name="option">The option that named it, for messages (<c>--data</c>).</param>
    /// <param name="path">The path as given.</param>
    public void AddInput(string option, string? path)
    {
        if (!string.IsNullOrEmpty(path))
        {
            _inputs.Add((option, path));
        }
    }

    /// <summary>Declares a file to write; returns the handle to pass to <see cref="Write"/>.</summary>
    /// <param name="option">The option that named it, for messages (<c>--out</c>).</param>
    /// <param name="path">The path as given.</param>
    public OutputTarget Add(string option, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (_prepared)
        {
            throw new InvalidOperationException("Outputs are declared before Prepare.");
        }

        var target = new OutputTarget(option, path);
        _outputs.Add(target);
        return target;
    }

    /// <summary>
    /// Checks every output against the inputs and the other outputs, removes stale temporaries in the output folders,
    /// and creates (and locks) the temporary file of every regular output.
    /// </summary>
    /// <exception cref="CliException">Exit code 2 for an output that is an input, another output or a folder, or
    /// whose folder does not exist; exit code 1 when the folder refuses a new file.</exception>
    public void Prepare()
    {
        if (_prepared)
        {
            throw new InvalidOperationException("Prepare runs once.");
        }

        _prepared = true;
        foreach (var output in _outputs)
        {
            Resolve(output);
        }

        var inputs = new List<(string Option, string Path, string Canonical, FileIdentity.Id? Id)>();
        foreach (var (option, path) in _inputs)
        {
            string canonical;
            try
            {
                canonical = FileIdentity.Canonical(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                continue; // The reader reports an input that cannot be found.
            }

            FileIdentity.Kind(canonical, out var id);
            inputs.Add((option, path, canonical, id));
        }

        for (int k = 0; k < _outputs.Count; k++)
        {
            var output = _outputs[k];
            if (output.Kind == OutputKind.Stream)
            {
                continue;
            }

            foreach (var input in inputs)
            {
                if (Same(output.Canonical!, output.Id, input.Canonical, input.Id))
                {
                    throw new CliException(
                        $"{output.Option} '{output.Path}' is the same file as the input {input.Option} '{input.Path}'; refusing to overwrite an input (nothing was written).", 2);
                }
            }

            for (int q = 0; q < k; q++)
            {
                var other = _outputs[q];
                bool bothDevices = output.Kind == OutputKind.Special && other.Kind == OutputKind.Special;
                if (other.Kind != OutputKind.Stream && !bothDevices && Same(output.Canonical!, output.Id, other.Canonical!, other.Id))
                {
                    throw new CliException(
                        $"{output.Option} '{output.Path}' and {other.Option} '{other.Path}' name the same file; give each output its own file (nothing was written).", 2);
                }
            }
        }

        foreach (string folder in _outputs.Where(o => o.Kind == OutputKind.File).Select(o => Path.GetDirectoryName(o.Canonical!)!).Distinct(StringComparer.Ordinal))
        {
            RemoveStaleTemporaries(folder, _outputs.Where(o => o.Kind == OutputKind.File && Path.GetDirectoryName(o.Canonical!) == folder).Select(o => Path.GetFileName(o.Canonical!)));
        }

        // Listening first: a signal that arrives while the temporaries are created still removes them.
        if (_outputs.Any(o => o.Kind == OutputKind.File) && !OperatingSystem.IsWindows())
        {
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            {
                // Not cancelled: the runtime goes on to terminate the process as the signal asks, without the temporaries.
                _signals.Add(PosixSignalRegistration.Create(signal, _ =>
                {
                    _signalled = true;
                    RemoveTemporaries();
                }));
            }
        }

        lock (_gate)
        {
            foreach (var output in _outputs.Where(o => o.Kind == OutputKind.File && !_signalled))
            {
                CreateTemporary(output);
            }
        }
    }

    /// <summary>
    /// Writes one output's content: into its temporary file now, or, for a device, FIFO or standard stream, at
    /// <see cref="Commit"/>. <paramref name="content"/> must not close the stream.
    /// </summary>
    public void Write(OutputTarget target, Action<Stream> content)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(content);
        if (!_prepared || _committed || !_outputs.Contains(target))
        {
            throw new InvalidOperationException("Write a declared output between Prepare and Commit.");
        }

        if (target.Kind != OutputKind.File)
        {
            target.Deferred = content;
            return;
        }

        var stream = target.Stream ?? throw new InvalidOperationException("The temporary file is gone.");
        stream.SetLength(0);
        content(new KeepOpenStream(stream));
        stream.Flush();
        target.Written = true;
    }

    /// <summary>
    /// Flushes every temporary to disk, writes the in-place outputs, then renames every temporary over its target.
    /// An output never given to <see cref="Write"/> is left as it was.
    /// </summary>
    /// <exception cref="CliException">A device or FIFO refused the write, or a rename failed (exit code 1).</exception>
    public void Commit()
    {
        if (!_prepared || _committed)
        {
            throw new InvalidOperationException("Commit follows Prepare, once.");
        }

        foreach (var output in _outputs.Where(o => o.Written))
        {
            Guard(output, () => output.Stream!.Flush(flushToDisk: true));
        }

        foreach (var output in _outputs.Where(o => o.Deferred is not null))
        {
            Guard(output, () => WriteInPlace(output));
        }

        lock (_gate)
        {
            foreach (var output in _outputs.Where(o => o.Written))
            {
                // Renamed while still open: the lock keeps other runs from taking the temporary for a leftover.
                Guard(output, () => File.Move(output.Temp!, output.Canonical!, overwrite: true), renamed: _outputs.Count(o => o.Renamed));
                output.Renamed = true;
            }

            _committed = true;
        }

        RemoveTemporaries();
    }

    /// <summary>Removes the temporaries that were not committed and stops listening for signals.</summary>
    public void Dispose()
    {
        RemoveTemporaries();
        foreach (var registration in _signals)
        {
            registration.Dispose();
        }

        _signals.Clear();
    }

    /// <summary>Writes one file through a set of one: checked, written to a temporary, committed.</summary>
    /// <param name="what">How messages name the file (<c>--out</c>, <c>the report</c>).</param>
    /// <param name="path">The destination.</param>
    /// <param name="content">Writes the content; must not close the stream.</param>
    public static void WriteOne(string what, string path, Action<Stream> content)
    {
        using var set = new OutputSet();
        var target = set.Add(what, path);
        set.Prepare();
        set.Write(target, content);
        set.Commit();
    }

    /// <summary>True for a leftover temporary name of this or an earlier GpuEnet version for one of <paramref name="names"/>.</summary>
    internal static bool IsTemporaryName(string fileName, IEnumerable<string> names)
    {
        if (TempPattern().IsMatch(fileName))
        {
            return true;
        }

        // Earlier versions: ".NAME.GUID.tmp", ".NAME.PID.GUID.tmp" (model, report) and "NAME.tmp-PID" (JSON, predictions).
        foreach (string name in names)
        {
            if ((fileName.StartsWith('.' + name + '.', StringComparison.Ordinal) && LegacyDotPattern().IsMatch(fileName[(name.Length + 1)..]))
                || (fileName.StartsWith(name + ".tmp-", StringComparison.Ordinal) && fileName[(name.Length + 5)..].All(char.IsAsciiDigit)))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"^\..+\.[0-9a-f]{32}\.gpuenet-tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TempPattern();

    [GeneratedRegex(@"^\.([0-9]+\.)?[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex LegacyDotPattern();

    private static bool IsStreamPath(string path) =>
        path is "/dev/stdout" or "/dev/stderr" or "-"
        || path.StartsWith("/dev/fd/", StringComparison.Ordinal)
        || path.StartsWith("/proc/self/fd/", StringComparison.Ordinal);

    private static bool Same(string a, FileIdentity.Id? aId, string b, FileIdentity.Id? bId) =>
        string.Equals(a, b, StringComparison.Ordinal) || (aId is not null && aId == bId);

    private static void Resolve(OutputTarget output)
    {
        if (output.Path.Length == 0 || output.Path.Trim().Length == 0)
        {
            throw new CliException($"{output.Option} needs a file name, got an empty string.", 2);
        }

        if (IsStreamPath(output.Path))
        {
            output.Kind = OutputKind.Stream;
            return;
        }

        try
        {
            output.Canonical = FileIdentity.Canonical(output.Path);
        }
        catch (DirectoryNotFoundException)
        {
            string folder = Path.GetDirectoryName(Path.GetFullPath(output.Path)) ?? "/";
            throw new CliException($"{output.Option} '{output.Path}': the folder '{folder}' does not exist (nothing was written).", 2);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"{output.Option} '{output.Path}' is not a usable file name.", 2);
        }

        var kind = FileIdentity.Kind(output.Canonical, out var id);
        output.Id = id;
        output.Kind = kind switch
        {
            FileKind.Directory => throw new CliException($"{output.Option} '{output.Path}' is a folder; name a file inside it (nothing was written).", 2),
            FileKind.Special => OutputKind.Special,
            _ => OutputKind.File,
        };
    }

    private static void RemoveStaleTemporaries(string folder, IEnumerable<string> names)
    {
        var wanted = names.ToList();
        IEnumerable<string> files;
        try
        {
            files = Directory.EnumerateFiles(folder, ".*").Concat(wanted.SelectMany(n => Directory.EnumerateFiles(folder, n + ".tmp-*"))).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (string file in files)
        {
            if (!IsTemporaryName(Path.GetFileName(file), wanted))
            {
                continue;
            }

            try
            {
                // A live writer holds its temporary under an exclusive lock: only an orphan can be opened like this.
                using var probe = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use by a running writer, or not ours to remove.
            }
        }
    }

    private static void CreateTemporary(OutputTarget output)
    {
        string folder = Path.GetDirectoryName(output.Canonical!)!;
        string name = Path.GetFileName(output.Canonical!);
        if (name.Length > 100)
        {
            name = name[..100];
        }

        output.Temp = Path.Combine(folder, $".{name}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            output.Stream = new FileStream(output.Temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        }
        catch (UnauthorizedAccessException)
        {
            output.Temp = null;
            throw new CliException($"{output.Option} '{output.Path}': no permission to create a file in the folder '{folder}' (nothing was written).", 1);
        }
        catch (IOException e)
        {
            string reason = e is FileNotFoundException or DirectoryNotFoundException
                ? "the file system does not take new files there"
                : e.Message.Replace(output.Temp, folder, StringComparison.Ordinal).TrimEnd('.');
            output.Temp = null;
            throw new CliException($"{output.Option} '{output.Path}': cannot create a file in the folder '{folder}' ({reason}; nothing was written).", 1);
        }
    }

    private static void WriteInPlace(OutputTarget output)
    {
        Stream stream = output.Path switch
        {
            "/dev/stdout" or "/dev/fd/1" or "/proc/self/fd/1" or "-" => Console.OpenStandardOutput(),
            "/dev/stderr" or "/dev/fd/2" or "/proc/self/fd/2" => Console.OpenStandardError(),
            _ => new FileStream(output.Canonical ?? output.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16),
        };
        using (stream)
        {
            output.Deferred!(new KeepOpenStream(stream));
            stream.Flush();
        }
    }

    private static void Guard(OutputTarget output, Action action, int renamed = 0)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.');
            if (output.Temp is { } temp)
            {
                reason = reason.Replace(temp, output.Path, StringComparison.Ordinal); // never the temporary's name
            }

            string others = renamed == 0 ? "no output of this run was replaced" : $"{renamed} other output(s) of this run were already replaced";
            throw new CliException($"{output.Option} '{output.Path}': the write failed ({reason}); {others}.", 1);
        }
    }

    private void RemoveTemporaries()
    {
        lock (_gate)
        {
            foreach (var output in _outputs)
            {
                output.Stream?.Dispose();
                output.Stream = null;
                if (output.Temp is not null && !output.Renamed)
                {
                    try
                    {
                        File.Delete(output.Temp);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // Best effort: the next run writing to this folder removes it.
                    }
                }

                output.Temp = null;
            }
        }
    }

    /// <summary>Hands a writer the stream without letting it close it.</summary>
    private sealed class KeepOpenStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}

/// <summary>How an output reaches the disk.</summary>
internal enum OutputKind
{
    /// <summary>Temporary file + rename.</summary>
    File,

    /// <summary>A device, FIFO or socket, written in place.</summary>
    Special,

    /// <summary>Standard output or error, or an inherited descriptor.</summary>
    Stream,
}

/// <summary>One declared output of an <see cref="OutputSet"/>.</summary>
public sealed class OutputTarget
{
    internal OutputTarget(string option, string path)
    {
        Option = option;
        Path = path;
    }

    /// <summary>The option that named it (<c>--out</c>).</summary>
    public string Option { get; }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    internal OutputKind Kind { get; set; }

    internal string? Canonical { get; set; }

    internal FileIdentity.Id? Id { get; set; }

    internal string? Temp { get; set; }

    internal FileStream? Stream { get; set; }

    internal Action<Stream>? Deferred { get; set; }

    internal bool Written { get; set; }

    internal bool Renamed { get; set; }
}
