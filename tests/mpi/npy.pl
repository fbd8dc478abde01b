#!/usr/bin/perl
# Numbers, one per line on stdin, as a 1-D .npy array of little-endian doubles on stdout (NumPy's format 1.0: the
# magic, the header's length, a header padded to 64 bytes): the .npy files of tests/mpi/run.sh and bench/mpi/read.sh,
# written without numpy, which a clean machine lacks.
use strict;
use warnings;
my @v = <STDIN>;
chomp @v;
my $q = chr(39);
my $h = "{${q}descr${q}: ${q}<f8${q}, ${q}fortran_order${q}: False, ${q}shape${q}: (" . scalar(@v) . ",), }";
$h .= " " x (63 - (10 + length($h)) % 64) . "\n";
binmode STDOUT;
print "\x93NUMPY\x01\x00", pack("v", length($h)), $h, pack("d<*", @v);
