#!/usr/bin/perl
# Turns ip-location-db's ASN tables (CSV lines "first,last,asn,organisation",
# the organisation quoted when it holds a comma) into one .mmdb in
# GeoLite2-ASN's layout, since that package ships no .mmdb on npm.
#   geo_asn_mmdb.pl OUT.mmdb BUILD_EPOCH FILE.csv...
# BUILD_EPOCH is the data's date, so that the same data gives the same
# geo_built() (enrich/geo.h) however often it is converted.
# Used by scripts/install-geo.sh; needs libmaxmind-db-writer-perl.
use strict;
use warnings;

use MaxMind::DB::Writer::Tree;

my ($out, $epoch, @csv) = @ARGV;
die "usage: $0 OUT.mmdb BUILD_EPOCH FILE.csv...\n"
    unless defined $out && defined $epoch && $epoch =~ /^\d+$/ && @csv;

my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version            => 6,
	record_size           => 28,
	database_type         => 'ip-location-db-asn',
	languages             => ['en'],
	description           => { en => 'ip-location-db asn (RouteViews, NRO, DB-IP; CC BY 4.0)' },
	alias_ipv6_to_ipv4    => 1,
	map_key_type_callback => sub {
		{ autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string' }
		    ->{ $_[0] };
	},
	_build_epoch => $epoch,
);

my ($rows, $skipped) = (0, 0);
for my $file (@csv) {
	open my $fh, '<:encoding(UTF-8)', $file or die "$file: $!\n";
	while (my $line = <$fh>) {
		$line =~ s/\r?\n\z//;
		my ($first, $last, $asn, $org) = $line =~ /^([0-9a-fA-F.:]+),([0-9a-fA-F.:]+),(\d+),(.*)\z/;
		# a line of another shape, or a number no AS has, is left out, not guessed at
		if (!defined $org || $asn < 1 || $asn > 4294967295) {
			$skipped++;
			next;
		}
		$org = $1 =~ s/""/"/gr if $org =~ /^"(.*)"\z/;
		my %data = (autonomous_system_number => $asn + 0);
		$data{autonomous_system_organization} = $org if $org ne '';
		# Teredo (2001::/32) and 6to4 (2002::/16) point into the IPv4 tree, which
		# answers for them: the writer refuses their ranges, and they are skipped.
		if (eval { $tree->insert_range($first, $last, \%data); 1 }) {
			$rows++;
		} else {
			$skipped++;
		}
	}
	close $fh;
}
die "$0: no usable line in @csv\n" if $rows == 0;

open my $fh, '>:raw', "$out.tmp" or die "$out.tmp: $!\n";
$tree->write_tree($fh);
close $fh or die "$out.tmp: $!\n";
rename "$out.tmp", $out or die "$out: $!\n";
print STDERR "geo_asn_mmdb: $out: $rows ranges ($skipped lines left out)\n";
