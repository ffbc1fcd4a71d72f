"""Places and words the generated names are made of, shared by the demo and the
national-scale generator of the benchmark (bench/scale.py)."""

from registry.models import CooperativeType as K

# code: (name, the theme of its provincial secondary cooperative, regencies/cities)
PROVINCES = {
    "11": ("Aceh", "tani", ["Kota Banda Aceh", "Kabupaten Aceh Besar", "Kabupaten Pidie", "Kabupaten Aceh Utara", "Kota Lhokseumawe"]),
    "12": ("Sumatera Utara", "tani", ["Kota Medan", "Kabupaten Deli Serdang", "Kabupaten Simalungun", "Kabupaten Karo", "Kabupaten Tapanuli Utara"]),
    "13": ("Sumatera Barat", "usaha", ["Kota Padang", "Kabupaten Agam", "Kabupaten Tanah Datar", "Kota Bukittinggi", "Kabupaten Pesisir Selatan"]),
    "14": ("Riau", "tani", ["Kota Pekanbaru", "Kabupaten Kampar", "Kabupaten Siak", "Kabupaten Indragiri Hulu", "Kabupaten Rokan Hulu"]),
    "15": ("Jambi", "tani", ["Kota Jambi", "Kabupaten Muaro Jambi", "Kabupaten Kerinci", "Kabupaten Bungo"]),
    "16": ("Sumatera Selatan", "tani", ["Kota Palembang", "Kabupaten Ogan Komering Ilir", "Kabupaten Banyuasin", "Kabupaten Musi Banyuasin", "Kabupaten Lahat"]),
    "17": ("Bengkulu", "tani", ["Kota Bengkulu", "Kabupaten Rejang Lebong", "Kabupaten Bengkulu Utara", "Kabupaten Seluma"]),
    "18": ("Lampung", "tani", ["Kota Bandar Lampung", "Kabupaten Lampung Tengah", "Kabupaten Lampung Selatan", "Kabupaten Pringsewu", "Kota Metro"]),
    "19": ("Kepulauan Bangka Belitung", "nelayan", ["Kota Pangkalpinang", "Kabupaten Bangka", "Kabupaten Belitung", "Kabupaten Bangka Barat"]),
    "21": ("Kepulauan Riau", "nelayan", ["Kota Batam", "Kota Tanjungpinang", "Kabupaten Bintan", "Kabupaten Karimun"]),
    "31": ("DKI Jakarta", "simpan_pinjam", ["Kota Administrasi Jakarta Pusat", "Kota Administrasi Jakarta Selatan", "Kota Administrasi Jakarta Timur", "Kota Administrasi Jakarta Utara", "Kota Administrasi Jakarta Barat"]),
    "32": ("Jawa Barat", "tani", ["Kota Bandung", "Kabupaten Garut", "Kabupaten Tasikmalaya", "Kabupaten Cirebon", "Kabupaten Bogor", "Kabupaten Sukabumi", "Kabupaten Cianjur"]),
    "33": ("Jawa Tengah", "usaha", ["Kota Semarang", "Kabupaten Banyumas", "Kabupaten Klaten", "Kabupaten Boyolali", "Kabupaten Kudus", "Kabupaten Magelang"]),
    "34": ("DI Yogyakarta", "usaha", ["Kota Yogyakarta", "Kabupaten Sleman", "Kabupaten Bantul", "Kabupaten Kulon Progo", "Kabupaten Gunungkidul"]),
    "35": ("Jawa Timur", "simpan_pinjam", ["Kota Surabaya", "Kota Malang", "Kabupaten Jember", "Kabupaten Banyuwangi", "Kabupaten Kediri", "Kabupaten Pasuruan"]),
    "36": ("Banten", "usaha", ["Kota Serang", "Kota Tangerang", "Kabupaten Pandeglang", "Kabupaten Lebak", "Kota Cilegon"]),
    "51": ("Bali", "usaha", ["Kota Denpasar", "Kabupaten Badung", "Kabupaten Gianyar", "Kabupaten Tabanan", "Kabupaten Buleleng"]),
    "52": ("Nusa Tenggara Barat", "tani", ["Kota Mataram", "Kabupaten Lombok Tengah", "Kabupaten Lombok Timur", "Kabupaten Bima", "Kabupaten Sumbawa"]),
    "53": ("Nusa Tenggara Timur", "simpan_pinjam", ["Kota Kupang", "Kabupaten Sikka", "Kabupaten Ende", "Kabupaten Manggarai", "Kabupaten Sumba Timur"]),
    "61": ("Kalimantan Barat", "simpan_pinjam", ["Kota Pontianak", "Kabupaten Sanggau", "Kabupaten Sintang", "Kabupaten Kubu Raya", "Kabupaten Ketapang"]),
    "62": ("Kalimantan Tengah", "tani", ["Kota Palangka Raya", "Kabupaten Kotawaringin Timur", "Kabupaten Kapuas", "Kabupaten Barito Utara"]),
    "63": ("Kalimantan Selatan", "usaha", ["Kota Banjarmasin", "Kabupaten Banjar", "Kabupaten Tabalong", "Kabupaten Hulu Sungai Selatan"]),
    "64": ("Kalimantan Timur", "usaha", ["Kota Samarinda", "Kota Balikpapan", "Kabupaten Kutai Kartanegara", "Kabupaten Berau"]),
    "65": ("Kalimantan Utara", "nelayan", ["Kota Tarakan", "Kabupaten Bulungan", "Kabupaten Nunukan", "Kabupaten Malinau"]),
    "71": ("Sulawesi Utara", "nelayan", ["Kota Manado", "Kabupaten Minahasa", "Kota Bitung", "Kabupaten Bolaang Mongondow"]),
    "72": ("Sulawesi Tengah", "tani", ["Kota Palu", "Kabupaten Donggala", "Kabupaten Poso", "Kabupaten Banggai"]),
    "73": ("Sulawesi Selatan", "tani", ["Kota Makassar", "Kabupaten Gowa", "Kabupaten Bone", "Kabupaten Maros", "Kabupaten Pinrang"]),
    "74": ("Sulawesi Tenggara", "nelayan", ["Kota Kendari", "Kabupaten Konawe", "Kabupaten Kolaka", "Kabupaten Muna", "Kabupaten Buton"]),
    "75": ("Gorontalo", "tani", ["Kota Gorontalo", "Kabupaten Gorontalo", "Kabupaten Boalemo", "Kabupaten Pohuwato"]),
    "76": ("Sulawesi Barat", "tani", ["Kabupaten Mamuju", "Kabupaten Polewali Mandar", "Kabupaten Majene", "Kabupaten Pasangkayu"]),
    "81": ("Maluku", "nelayan", ["Kota Ambon", "Kabupaten Maluku Tengah", "Kabupaten Seram Bagian Barat", "Kota Tual"]),
    "82": ("Maluku Utara", "nelayan", ["Kota Ternate", "Kota Tidore Kepulauan", "Kabupaten Halmahera Utara", "Kabupaten Halmahera Barat"]),
    "91": ("Papua", "usaha", ["Kota Jayapura", "Kabupaten Jayapura", "Kabupaten Keerom", "Kabupaten Biak Numfor", "Kabupaten Sarmi"]),
    "92": ("Papua Barat", "usaha", ["Kabupaten Manokwari", "Kabupaten Teluk Bintuni", "Kabupaten Fakfak", "Kabupaten Kaimana"]),
    "93": ("Papua Selatan", "tani", ["Kabupaten Merauke", "Kabupaten Boven Digoel", "Kabupaten Mappi", "Kabupaten Asmat"]),
    "94": ("Papua Tengah", "usaha", ["Kabupaten Nabire", "Kabupaten Mimika", "Kabupaten Paniai", "Kabupaten Dogiyai"]),
    "95": ("Papua Pegunungan", "tani", ["Kabupaten Jayawijaya", "Kabupaten Lanny Jaya", "Kabupaten Yahukimo", "Kabupaten Tolikara"]),
    "96": ("Papua Barat Daya", "nelayan", ["Kota Sorong", "Kabupaten Sorong", "Kabupaten Raja Ampat", "Kabupaten Sorong Selatan"]),
}

# How generated primary cooperatives are named: (pattern, type, sectors, theme).
PRIMER_KINDS = [
    ("Koperasi Tani {word} {place}", K.PRODUSEN, ["pertanian"], "tani"),
    ("Koperasi Unit Desa {word} {place}", K.SERBA_USAHA, ["pertanian", "perdagangan"], "tani"),
    ("Koperasi Produsen Kopi {word} {place}", K.PRODUSEN, ["perkebunan", "industri-pengolahan"], "tani"),
    ("Koperasi Peternak Sapi {word} {place}", K.PRODUSEN, ["peternakan"], "tani"),
    ("Koperasi Pemasaran Hasil Bumi {word} {place}", K.PEMASARAN, ["pertanian", "perdagangan"], "tani"),
    ("Koperasi Nelayan {word} {place}", K.PRODUSEN, ["perikanan"], "nelayan"),
    ("Koperasi Pemasaran Ikan {word} {place}", K.PEMASARAN, ["perikanan", "perdagangan"], "nelayan"),
    ("Koperasi Pengolahan Hasil Laut {word} {place}", K.PRODUSEN, ["perikanan", "industri-pengolahan"], "nelayan"),
    ("KSP {word} {place}", K.SIMPAN_PINJAM, ["simpan-pinjam"], "simpan_pinjam"),
    ("Koperasi Kredit {word} {place}", K.SIMPAN_PINJAM, ["simpan-pinjam"], "simpan_pinjam"),
    ("Koperasi Simpan Pinjam Wanita {word} {place}", K.SIMPAN_PINJAM, ["simpan-pinjam"], "simpan_pinjam"),
    ("KSU {word} {place}", K.SERBA_USAHA, ["perdagangan", "jasa"], "usaha"),
    ("Koperasi Konsumen {word} {place}", K.KONSUMEN, ["konsumsi", "perdagangan"], "usaha"),
    ("Koperasi Karyawan {word} {place}", K.KONSUMEN, ["konsumsi", "simpan-pinjam"], "usaha"),
    ("Koperasi Jasa Angkutan {word} {place}", K.JASA, ["transportasi"], "usaha"),
    ("Koperasi Jasa Wisata {word} {place}", K.JASA, ["pariwisata", "jasa"], "usaha"),
    ("Koperasi Pengrajin {word} {place}", K.PRODUSEN, ["kerajinan"], "usaha"),
    ("Koperasi Listrik Desa {word} {place}", K.JASA, ["listrik-energi"], "usaha"),
    ("Koperasi Perumahan {word} {place}", K.JASA, ["perumahan"], "usaha"),
    ("Koperasi Pondok Pesantren {word} {place}", K.SERBA_USAHA, ["pendidikan", "perdagangan"], "usaha"),
]

WORDS = [
    "Sejahtera", "Makmur", "Mandiri", "Maju Bersama", "Sumber Rejeki", "Harapan Jaya", "Bina Usaha",
    "Mitra Usaha", "Karya Bersama", "Tunas Harapan", "Berkah", "Amanah", "Sumber Makmur", "Usaha Bersama",
    "Subur", "Lestari", "Jaya Abadi", "Setia Kawan", "Gotong Royong", "Mekar Sari", "Sri Rejeki",
    "Bangkit Bersama", "Cahaya Baru", "Sinar Harapan", "Bumi Lestari", "Tekad Bersatu",
]
KPRI_WORDS = ["Guru Sejahtera", "Pegawai Pemda", "Bhakti Praja", "Karya Husada", "Setia Budi", "Dharma Putra", "Bina Karya"]
STREETS = [
    "Jl. Merdeka", "Jl. Jenderal Sudirman", "Jl. Diponegoro", "Jl. Ahmad Yani", "Jl. Pahlawan", "Jl. Raya Desa",
    "Jl. Gajah Mada", "Jl. Veteran", "Jl. Pemuda", "Jl. Pasar Baru", "Jl. Kartini", "Jl. Imam Bonjol",
]


def place_name(regency):
    """The city or regency as it appears in a cooperative's name: "Kabupaten Garut" -> "Garut"."""
    for prefix in ("Kota Administrasi ", "Kabupaten ", "Kota "):
        if regency.startswith(prefix):
            return regency[len(prefix):]
    return regency
