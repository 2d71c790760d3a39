using System.Runtime.InteropServices;

namespace GpuEnet.Kernels.Mpi;

/// <summary>
/// The few OpenMPI entry points GpuEnet uses, bound at run time from <c>libmpi.so.40</c> (OpenMPI 4.x and 5.x; Debian's
/// <c>libopenmpi-dev</c>/<c>openmpi-bin</c>). Handles are OpenMPI's exported objects (<c>MPI_COMM_WORLD</c> is the address
/// of <c>ompi_mpi_comm_world</c>, <c>MPI_BYTE</c> of <c>ompi_mpi_byte</c>, …), which is OpenMPI's ABI: MPICH, whose
/// handles are integers, is not supported. The library is opened with RTLD_GLOBAL, as OpenMPI's own plug-ins need.
/// </summary>
internal sealed unsafe class MpiNative
{
    public const string Library = "libmpi.so.40";
    private const int RtldNow = 2;
    private const int RtldGlobal = 0x100;
    private const int ThreadFunneled = 1;

    private readonly nint _library;

    private MpiNative(nint library)
    {
        _library = library;
        InitThread = (delegate* unmanaged<int*, nint*, int, int*, int>)Export("MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
        Finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        CommRank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
        Allgather = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int>)Export("MPI_Allgather");
        Allgatherv = (delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int>)Export("MPI_Allgatherv");
        Abort = (delegate* unmanaged<nint, int, int>)Export("MPI_Abort");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Export("MPI_Error_string");
        World = Export("ompi_mpi_comm_world");
        Long = Export("ompi_mpi_long_long_int");
        Byte = Export("ompi_mpi_byte");
    }

    public delegate* unmanaged<int*, nint*, int, int*, int> InitThread { get; }

    public delegate* unmanaged<int*, int> Initialized { get; }

    public delegate* unmanaged<int> Finalize { get; }

    public delegate* unmanaged<nint, int*, int> CommRank { get; }

    public delegate* unmanaged<nint, int*, int> CommSize { get; }

    public delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int> Allgather { get; }

    public delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int> Allgatherv { get; }

    public delegate* unmanaged<nint, int, int> Abort { get; }

    public delegate* unmanaged<int, byte*, int*, int> ErrorString { get; }

    public nint World { get; }

    public nint Long { get; }

    public nint Byte { get; }

    /// <summary>Opens OpenMPI and initialises it for a process whose MPI calls all come from one thread.</summary>
    /// <exception cref="InvalidOperationException">The library is missing, is not OpenMPI, or initialisation failed.</exception>
    public static MpiNative Open()
    {
        nint library = dlopen(Library, RtldNow | RtldGlobal);
        if (library == 0)
        {
            throw new InvalidOperationException($"this run was started by mpirun, but {Library} (OpenMPI) could not be loaded: install openmpi-bin and libopenmpi-dev.");
        }

        MpiNative mpi;
        try
        {
            mpi = new MpiNative(library);
        }
        catch (EntryPointNotFoundException e)
        {
            throw new InvalidOperationException($"{Library} is not OpenMPI ({e.Message}); only OpenMPI's ABI is supported.");
        }

        int initialised = 0;
        mpi.Check(mpi.Initialized(&initialised), "MPI_Initialized");
        if (initialised == 0)
        {
            int provided = 0;
            mpi.Check(mpi.InitThread(null, null, ThreadFunneled, &provided), "MPI_Init_thread");
        }

        return mpi;
    }

    /// <summary>Throws, naming the call and MPI's own description of the code, unless it is MPI_SUCCESS.</summary>
    public void Check(int code, string call)
    {
        if (code == 0)
        {
            return;
        }

        byte* text = stackalloc byte[512];
        int length = 0;
        string description = ErrorString(code, text, &length) == 0 ? System.Text.Encoding.ASCII.GetString(text, Math.Clamp(length, 0, 511)) : "unknown error";
        throw new InvalidOperationException($"{call} failed with MPI error {code}: {description}.");
    }

    private nint Export(string name) => NativeLibrary.GetExport(_library, name);

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern nint dlopen([MarshalAs(UnmanagedType.LPStr)] string file, int mode);
}
