/* The cost of the one collective of a native pass under MPI: MPI_Allgatherv in place of the chunk partials, each rank
 * a contiguous run of whole chunks (as RowCollective.Exchange does it). Prints the median time of one call over
 * REPS calls, for CHUNKS chunks of TERMS doubles. Usage: mpirun -np N ./allgatherv CHUNKS TERMS REPS */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int chunks = argc > 1 ? atoi(argv[1]) : 31, terms = argc > 2 ? atoi(argv[2]) : 3, reps = argc > 3 ? atoi(argv[3]) : 10000;
    int *counts = malloc(size * sizeof(int)), *displacements = malloc(size * sizeof(int));
    for (int r = 0; r < size; r++) {
        long first = (long)chunks * r / size, end = (long)chunks * (r + 1) / size;
        displacements[r] = (int)(first * terms);
        counts[r] = (int)((end - first) * terms);
    }
    double *data = calloc((size_t)chunks * terms, sizeof(double));
    double *times = malloc(reps * sizeof(double));
    for (int i = 0; i < 100; i++)
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DOUBLE, data, counts, displacements, MPI_DOUBLE, MPI_COMM_WORLD);
    for (int i = 0; i < reps; i++) {
        for (int j = 0; j < counts[rank]; j++)
            data[displacements[rank] + j] = i + j;
        double start = MPI_Wtime();
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DOUBLE, data, counts, displacements, MPI_DOUBLE, MPI_COMM_WORLD);
        times[i] = MPI_Wtime() - start;
    }
    qsort(times, reps, sizeof(double), compare);
    if (rank == 0)
        printf("MPI_Allgatherv, %d ranks, %d chunks x %d doubles (%d bytes): median %.2f us, 90th percentile %.2f us over %d calls\n",
            size, chunks, terms, chunks * terms * 8, times[reps / 2] * 1e6, times[reps * 9 / 10] * 1e6, reps);
    MPI_Finalize();
    return 0;
}
