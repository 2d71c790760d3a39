using System.IO.MemoryMappedFiles;

namespace GpuEnet.Host.Data;

/// <summary>A whole file mapped read-only, with a stable pointer to its first byte.</summary>
internal sealed unsafe class MappedFileView : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _pointer;

    public MappedFileView(string path)
    {
        Length = new FileInfo(path).Length;
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        try
        {
            _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* p = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            _pointer = p + _view.PointerOffset;
        }
        catch
        {
            _view?.Dispose();
            _map.Dispose();
            throw;
        }
    }

    /// <summary>Bytes in the file.</summary>
    public long Length { get; }

    /// <summary>The first byte of the file.</summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public byte* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return _pointer;
        }
    }

    /// <summary>
    /// Takes this process's resident pages of the mapping out of its resident set (they stay in the page cache, and a
    /// later read maps them back without I/O). For a pass that read every page once that only some of them need again.
    /// </summary>
    public void ReleaseResidentPages()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        long page = Environment.SystemPageSize;
        long start = (long)Pointer & ~(page - 1);
        long end = (long)Pointer + Length;
        // MADV_DONTNEED (4). A failure only leaves the pages resident: nothing to report.
        _ = Madvise((nint)start, (nuint)(end - start), 4);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);

    public void Dispose()
    {
        if (_pointer != null)
        {
            _pointer = null;
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
        }

        _view.Dispose();
        _map.Dispose();
    }
}
