using System.Runtime.InteropServices;

namespace GpuEnet.Host.Output;

/// <summary>What a path names on disk, with symbolic links followed.</summary>
internal enum FileKind
{
    /// <summary>Nothing exists there (yet).</summary>
    Absent,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A character or block device, a FIFO or a socket: written in place, never renamed over.</summary>
    Special,
}

/// <summary>
/// The file-system facts <see cref="OutputSet"/> decides on: the kind of file a path names and its identity
/// (device and inode), both with symbolic links followed, and the canonical path (every link in every component
/// resolved). .NET exposes neither the file type of a device node nor the inode, so on Linux they come from
/// <c>stat(2)</c> and <c>realpath(3)</c>; elsewhere the kind falls back to what <see cref="File"/> tells and
/// identity to the canonical path.
/// </summary>
internal static partial class FileIdentity
{
    private const int StatBufferBytes = 256;

    /// <summary>Device and inode of a file; equal for two names of one file (hard or symbolic links).</summary>
    internal readonly record struct Id(ulong Device, ulong Inode);

    // Cleared when libc cannot be bound (an unusual C library): the checks fall back to what .NET can tell.
    private static bool s_native = true;

    private static bool UseStat =>
        s_native && OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>The kind of the file at <paramref name="path"/> (links followed) and, when it exists, its identity.</summary>
    public static FileKind Kind(string path, out Id? id)
    {
        id = null;
        if (UseStat)
        {
            try
            {
                if (!TryStat(path, out uint mode, out var found))
                {
                    return FileKind.Absent;
                }

                id = found;
                return (mode & 0xF000) switch
                {
                    0x8000 => FileKind.Regular,
                    0x4000 => FileKind.Directory,
                    _ => FileKind.Special,
                };
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_native = false;
            }
        }

        if (Directory.Exists(path))
        {
            return FileKind.Directory;
        }

        return File.Exists(path) ? FileKind.Regular : FileKind.Absent;
    }

    /// <summary>
    /// The canonical absolute path: every symbolic link resolved, including a final link whose target does not exist
    /// yet. Throws <see cref="DirectoryNotFoundException"/> when the containing folder does not exist.
    /// </summary>
    public static string Canonical(string path)
    {
        string full = Path.GetFullPath(path);
        for (int hop = 0; hop < 40; hop++)
        {
            FileSystemInfo info = new FileInfo(full);
            if (info.LinkTarget is not { } target)
            {
                break;
            }

            full = Path.GetFullPath(target, Path.GetDirectoryName(full) ?? "/");
        }

        string folder = Path.GetDirectoryName(full) ?? "/";
        string name = Path.GetFileName(full);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException(folder);
        }

        string real = RealPath(folder) ?? folder;
        return name.Length == 0 ? real : Path.Combine(real, name);
    }

    private static string? RealPath(string path)
    {
        if (!s_native || (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()))
        {
            return null;
        }

        nint p;
        try
        {
            p = NativeRealPath(path, 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_native = false;
            return null;
        }

        if (p == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(p);
        }
        finally
        {
            Free(p);
        }
    }

    private static unsafe bool TryStat(string path, out uint mode, out Id id)
    {
        // glibc's struct stat starts with st_dev and st_ino (8 bytes each) on x86-64 and arm64; st_mode follows at
        // 24 (x86-64, after st_nlink) or 16 (arm64, before it).
        byte* buffer = stackalloc byte[StatBufferBytes];
        if (NativeStat(path, buffer) != 0)
        {
            mode = 0;
            id = default;
            return false;
        }

        int modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        mode = *(uint*)(buffer + modeOffset);
        id = new Id(*(ulong*)buffer, *(ulong*)(buffer + 8));
        return true;
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int NativeStat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint NativeRealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);
}
