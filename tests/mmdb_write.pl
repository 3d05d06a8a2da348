#!/usr/bin/perl
# Writes the small .mmdb databases tests/test_geo.c reads into the directory
# given (Debian's libmaxmind-db-writer-perl):
#   asn.mmdb         GeoLite2-ASN layout, built 1700000000
#   country.mmdb     GeoLite2-Country layout, built 1710000000
#   country-cc.mmdb  ip-location-db's layout (country_code), without the
#                    ::ffff:0:0/96 alias, as the npm databases are built
#   country-v4.mmdb  an IPv4-only database, as ip-location-db's -ipv4 files
# Each holds honest networks and hostile values; test_geo.c names them
# (asn.mmdb also a cloud's network, for test_source_warn.c).
use strict;
use warnings;
use utf8;

use MaxMind::DB::Writer::Tree;

my $dir = shift or die "usage: $0 DIR\n";

my %types = (
	autonomous_system_number       => 'uint32',
	autonomous_system_organization => 'utf8_string',
	country                        => 'map',
	registered_country             => 'map',
	iso_code                       => 'utf8_string',
	country_code                   => 'utf8_string',
);

# Types are fixed per key, except where a hostile value needs another.
sub tree {
	my ($type, $epoch, $alias, %over) = @_;
	my $version = delete $over{ip_version} // 6;
	my %t = (%types, %over);
	return MaxMind::DB::Writer::Tree->new(
		ip_version               => $version,
		record_size              => 24,
		database_type            => $type,
		languages                => ['en'],
		description              => { en => "dmarcd test $type" },
		alias_ipv6_to_ipv4       => $alias,
		# the tests use the documentation ranges, which it would drop
		remove_reserved_networks => 0,
		map_key_type_callback    => sub { $t{ $_[0] } },
		_build_epoch             => $epoch,
	);
}

sub write_tree {
	my ($tree, $name) = @_;
	open my $fh, '>:raw', "$dir/$name" or die "$dir/$name: $!\n";
	$tree->write_tree($fh);
	close $fh or die "$dir/$name: $!\n";
}

my $asn = tree('dmarcd-test-ASN', 1700000000, 1);
$asn->insert_network('8.8.8.0/24',
	{ autonomous_system_number => 15169, autonomous_system_organization => 'Google LLC' });
$asn->insert_network('2001:4860::/32',
	{ autonomous_system_number => 15169, autonomous_system_organization => 'Google LLC' });
# control bytes, an escape sequence, a bidi override, markup, runs of blanks
$asn->insert_network('192.0.2.0/24', {
	autonomous_system_number       => 64496,
	autonomous_system_organization =>
	    "Evil\x1b[31m\x{202e}Corp\x00\t\r\n  <script>alert(1)</script>\x7f\x{85}",
});
# 'ab' then 2-byte characters: the 64th would end past byte 127
$asn->insert_network('192.0.2.1/32', {
	autonomous_system_number       => 64497,
	autonomous_system_organization => 'ab' . ('é' x 200),
});
$asn->insert_network('203.0.113.0/24',
	{ autonomous_system_number => 0, autonomous_system_organization => 'Zero' });
# a shared cloud and an ordinary network, for test_source_warn.c
$asn->insert_network('3.5.140.0/22',
	{ autonomous_system_number => 16509, autonomous_system_organization => 'Amazon.com, Inc.' });
$asn->insert_network('193.0.0.0/21',
	{ autonomous_system_number => 3333, autonomous_system_organization => 'RIPE NCC' });
write_tree($asn, 'asn.mmdb');

# numbers out of range need another type than uint32
my $big = tree('dmarcd-test-ASN', 1700000000, 1, autonomous_system_number => 'uint64');
$big->insert_network('198.51.100.0/24',
	{ autonomous_system_number => 4294967296, autonomous_system_organization => 'Too Big' });
$big->insert_network('198.51.101.0/24',
	{ autonomous_system_number => 4294967295, autonomous_system_organization => 'Max' });
write_tree($big, 'asn-big.mmdb');

my $country = tree('dmarcd-test-Country', 1710000000, 1);
$country->insert_network('8.8.8.0/24',
	{ country => { iso_code => 'us' }, registered_country => { iso_code => 'US' } });
$country->insert_network('2001:4860::/32', { country => { iso_code => 'US' } });
$country->insert_network('192.0.2.0/24',
	{ country => { iso_code => 'zz1' }, registered_country => { iso_code => 'DE' } });
$country->insert_network('198.51.100.0/24', { country => { iso_code => 'Z1' } });
$country->insert_network('203.0.113.0/24', { registered_country => { iso_code => 'fr' } });
$country->insert_network('2001:db8::/32', { country => { iso_code => "\x{e9}s" } });
write_tree($country, 'country.mmdb');

my $cc = tree('country', 1690000000, 0);
$cc->insert_network('8.8.8.0/24',     { country_code => 'US' });
$cc->insert_network('2a00:1450::/32', { country_code => 'IE' });
write_tree($cc, 'country-cc.mmdb');

my $v4 = tree('country', 1690000000, 0, ip_version => 4);
$v4->insert_network('8.8.8.0/24', { country_code => 'US' });
write_tree($v4, 'country-v4.mmdb');
