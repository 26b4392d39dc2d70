"""Everything the bot says to citizens, Indonesian first, English second."""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "id": (
            "Selamat datang di layanan pengaduan {region}.\n"
            "Ketik langsung masalah Anda (apa, di mana, sejak kapan), atau pilih:\n"
            "LAPOR - buat laporan baru\nCEK <kode> - cek status laporan\nBANTUAN - petunjuk\n"
            "English: type ENGLISH"
        ),
        "en": (
            "Welcome to the {region} complaint service.\n"
            "Describe your problem (what, where, since when), or choose:\n"
            "REPORT - new complaint\nSTATUS <code> - check a complaint\nHELP - instructions\n"
            "Bahasa Indonesia: ketik BAHASA"
        ),
    },
    "help": {
        "id": (
            "Cara melapor: ketik masalahnya, misalnya 'jalan berlubang depan SDN 2 Marabahan'. "
            "Bot akan menanyakan lokasi, foto (boleh dilewati) dan pilihan kerahasiaan, lalu memberi kode laporan.\n"
            "Perintah: LAPOR, CEK <kode>, BATAL, HAPUS DATA SAYA, ENGLISH."
        ),
        "en": (
            "To report: describe the problem, e.g. 'pothole in front of SDN 2 Marabahan'. "
            "The bot asks for the location, a photo (optional) and privacy, then gives you a tracking code.\n"
            "Commands: REPORT, STATUS <code>, CANCEL, DELETE MY DATA, BAHASA."
        ),
    },
    "ask_text": {
        "id": "Silakan ceritakan masalahnya: apa yang terjadi, di mana, dan sejak kapan.",
        "en": "Please describe the problem: what happened, where, and since when.",
    },
    "text_too_short": {
        "id": "Mohon jelaskan sedikit lebih rinci (apa, di mana, sejak kapan) agar bisa diteruskan ke instansi yang tepat.",
        "en": "Please add a little more detail (what, where, since when) so we can route it correctly.",
    },
    "text_too_long": {
        "id": (
            "Pesan Anda terlalu panjang ({length} karakter; batas {limit}). Mohon kirim versi yang lebih ringkas. "
            "Pesan ini sudah kami simpan; balas LANJUT untuk tetap memakainya."
        ),
        "en": (
            "Your message is too long ({length} characters; limit {limit}). Please send a shorter version. "
            "We kept this one; reply CONTINUE to use it anyway."
        ),
    },
    "ask_location": {
        "id": "Di mana lokasinya? Kirim lokasi (share location) atau ketik alamat/patokan. Ketik LEWATI jika tidak ada.",
        "en": "Where is it? Share your location or type an address/landmark. Type SKIP if none.",
    },
    "ask_photo": {
        "id": "Ada foto kejadian? Kirim foto, atau ketik LEWATI.",
        "en": "Do you have a photo? Send it, or type SKIP.",
    },
    "photo_again": {
        "id": "Mohon kirim foto (gambar), atau ketik LEWATI untuk melanjutkan tanpa foto.",
        "en": "Please send a photo (image), or type SKIP to continue without one.",
    },
    "media_not_supported": {
        "id": "Maaf, kami belum bisa menerima {kind}. Mohon jelaskan dengan teks; laporan Anda tetap berlanjut.",
        "en": "Sorry, we cannot accept {kind} yet. Please describe it in text; your report continues.",
    },
    "ask_privacy": {
        "id": (
            "Pilih kerahasiaan laporan:\n1. Biasa\n2. Anonim (identitas Anda disembunyikan dari petugas)\n"
            "3. Rahasia (isi laporan tidak ditampilkan ke publik)\n4. Anonim dan rahasia"
        ),
        "en": (
            "Choose privacy:\n1. Normal\n2. Anonymous (your identity hidden from officials)\n"
            "3. Confidential (content not shown publicly)\n4. Anonymous and confidential"
        ),
    },
    "privacy_again": {
        "id": "Mohon balas dengan angka 1, 2, 3 atau 4.",
        "en": "Please reply with 1, 2, 3 or 4.",
    },
    "confirm_agency": {
        "id": "Laporan Anda akan diteruskan ke {agency}. Benar?\nBalas YA, PILIH LAIN, atau TIDAK TAHU.",
        "en": "Your complaint will go to {agency}. Correct?\nReply YES, OTHER, or DON'T KNOW.",
    },
    "confirm_external": {
        "id": (
            "Masalah ini ditangani oleh {agency}, bukan Pemerintah Kabupaten. Kami tetap mencatat dan meneruskannya. "
            "Anda juga bisa langsung menghubungi: {contact}.\nBalas YA untuk melanjutkan, PILIH LAIN, atau TIDAK TAHU."
        ),
        "en": (
            "This is handled by {agency}, not the regency government. We still record and forward it. "
            "You can also contact: {contact}.\nReply YES to continue, OTHER, or DON'T KNOW."
        ),
    },
    "pick_agency": {
        "id": "Instansi mana yang paling tepat?\n{options}\n{unknown}. Tidak tahu (admin akan memilihkan)",
        "en": "Which agency fits best?\n{options}\n{unknown}. Don't know (an admin will choose)",
    },
    "pick_again": {
        "id": "Mohon balas dengan nomor pilihan.",
        "en": "Please reply with the number of your choice.",
    },
    "confirm_again": {
        "id": "Mohon balas YA, PILIH LAIN, atau TIDAK TAHU.",
        "en": "Please reply YES, OTHER, or DON'T KNOW.",
    },
    "confidential_forced": {
        "id": "Catatan: laporan tentang pungli/penyalahgunaan wewenang otomatis bersifat RAHASIA.",
        "en": "Note: reports about extortion or misconduct are always CONFIDENTIAL.",
    },
    "filed_dispatched": {
        "id": (
            "Terima kasih. Laporan Anda tercatat dengan kode {code}.\n"
            "Diteruskan ke: {agency}. Batas jawaban instansi: {answer_due} ({zone}).\n"
            "Cek status kapan saja: CEK {code}"
        ),
        "en": (
            "Thank you. Your complaint is recorded as {code}.\n"
            "Sent to: {agency}. Agency answer due: {answer_due} ({zone}).\n"
            "Check any time: STATUS {code}"
        ),
    },
    "filed_triage": {
        "id": (
            "Terima kasih. Laporan Anda tercatat dengan kode {code}.\n"
            "Admin akan memverifikasi dan meneruskannya paling lambat {verify_due} ({zone}).\n"
            "Cek status kapan saja: CEK {code}"
        ),
        "en": (
            "Thank you. Your complaint is recorded as {code}.\n"
            "An administrator will verify and route it by {verify_due} ({zone}).\n"
            "Check any time: STATUS {code}"
        ),
    },
    "filed_forwarded": {
        "id": (
            "Terima kasih. Laporan Anda tercatat dengan kode {code} dan diteruskan ke {agency}.\n"
            "Untuk penanganan lebih cepat, hubungi juga: {contact}."
        ),
        "en": (
            "Thank you. Your complaint is recorded as {code} and forwarded to {agency}.\n"
            "For faster handling, also contact: {contact}."
        ),
    },
    "similar_exists": {
        "id": (
            "Laporan serupa sudah ada ({status}): \"{summary}\".\n"
            "Dukung laporan ini? Anda akan menerima kabar perkembangan statusnya. Balas YA untuk mendukung, "
            "atau TIDAK untuk membuat laporan baru."
        ),
        "en": (
            "A similar complaint exists ({status}): \"{summary}\".\n"
            "Support it? You will receive its status updates. Reply YES to support, or NO to file a new one."
        ),
    },
    "similar_exists_neutral": {
        "id": (
            "Laporan serupa sudah ada di dekat lokasi ini dan sedang ditangani ({status}).\n"
            "Dukung laporan ini? Anda akan menerima kabar perkembangan statusnya. Balas YA untuk mendukung, "
            "atau TIDAK untuk membuat laporan baru."
        ),
        "en": (
            "A similar complaint near this place already exists and is being handled ({status}).\n"
            "Support it? You will receive its status updates. Reply YES to support, or NO to file a new one."
        ),
    },
    "supported": {
        "id": "Terima kasih, Anda kini mendukung laporan serupa itu dan akan menerima kabar perkembangan statusnya.",
        "en": "Thank you, you now support that complaint and will receive its status updates.",
    },
    "cancelled": {
        "id": "Dibatalkan. Tidak ada laporan yang dikirim. Ketik LAPOR untuk memulai lagi.",
        "en": "Cancelled. Nothing was sent. Type REPORT to start again.",
    },
    "nothing_to_cancel": {
        "id": "Tidak ada yang sedang berlangsung. Ketik LAPOR untuk membuat laporan.",
        "en": "Nothing in progress. Type REPORT to file a complaint.",
    },
    "session_expired": {
        "id": "Percakapan sebelumnya berakhir karena tidak ada balasan selama {hours} jam; draf dihapus.",
        "en": "Your previous conversation expired after {hours} hours without a reply; the draft was removed.",
    },
    "daily_limit": {
        "id": "Anda sudah mengirim {limit} laporan hari ini. Silakan lanjutkan besok, atau cek status dengan CEK <kode>.",
        "en": "You have filed {limit} complaints today. Please continue tomorrow, or check one with STATUS <code>.",
    },
    "status_full": {
        "id": "Laporan {code}\nStatus: {status}\nInstansi: {agency}\nDilaporkan: {created}\nBatas: {due}{answer}",
        "en": "Complaint {code}\nStatus: {status}\nAgency: {agency}\nFiled: {created}\nDue: {due}{answer}",
    },
    "status_public": {
        "id": "Laporan {code}\nStatus: {status}\nDilaporkan: {created}",
        "en": "Complaint {code}\nStatus: {status}\nFiled: {created}",
    },
    "status_not_found": {
        "id": "Kode {code} tidak ditemukan. Periksa kembali kode Anda (contoh: {example}).",
        "en": "Code {code} was not found. Please check it (example: {example}).",
    },
    "status_need_code": {
        "id": "Sebutkan kodenya, misalnya: CEK {example}",
        "en": "Please give the code, e.g.: STATUS {example}",
    },
    "status_mine": {
        "id": "Laporan Anda yang masih berjalan:\n{lines}",
        "en": "Your open complaints:\n{lines}",
    },
    "feedback_thanks_closed": {
        "id": "Terima kasih, laporan {code} ditutup sebagai selesai. Beri nilai pelayanan 1-5 (5 = sangat baik)?",
        "en": "Thank you, complaint {code} is closed as resolved. Rate the service 1-5 (5 = excellent)?",
    },
    "feedback_reopened": {
        "id": "Laporan {code} dibuka kembali dan diteruskan lagi ke instansi. Kami akan mengabari Anda.",
        "en": "Complaint {code} is reopened and sent back to the agency. We will keep you informed.",
    },
    "rating_thanks": {
        "id": "Terima kasih atas penilaian Anda ({rating}/5).",
        "en": "Thank you for your rating ({rating}/5).",
    },
    "feedback_partly": {
        "id": "Terima kasih. Laporan {code} dibuka kembali karena baru sebagian selesai; instansi akan menindaklanjuti sisanya.",
        "en": "Thank you. Complaint {code} is reopened because it is only partly solved; the agency will follow up.",
    },
    "supporter_opinion": {
        "id": "Terima kasih, pendapat Anda tentang laporan {code} kami catat dan sampaikan ke instansi.",
        "en": "Thank you, your view on complaint {code} is recorded and passed on to the agency.",
    },
    "ask_solved_again": {
        "id": "Apakah masalah laporan {code} ({summary}) sudah selesai? Balas YA, BELUM, atau SEBAGIAN.",
        "en": "Is the problem of complaint {code} ({summary}) solved? Reply YES, NO or PARTLY.",
    },
    "ask_which": {
        "id": "Laporan yang mana yang Anda maksud?\n{options}\nBalas nomornya.",
        "en": "Which complaint do you mean?\n{options}\nReply with its number.",
    },
    "smalltalk_thanks": {
        "id": "Sama-sama 🙏 Bila ada masalah lain, ketik saja di sini.",
        "en": "You're welcome 🙏 If there is another problem, just type it here.",
    },
    "smalltalk_greeting": {
        "id": "Halo 🙏 Ada yang bisa kami bantu? Ketik masalah Anda (apa, di mana), atau CEK <kode> untuk cek laporan.",
        "en": "Hello 🙏 How can we help? Describe your problem (what, where), or STATUS <code> to check a complaint.",
    },
    "smalltalk_ack": {
        "id": "Baik 🙏",
        "en": "OK 🙏",
    },
    "smalltalk_farewell": {
        "id": "Terima kasih, sampai jumpa 🙏",
        "en": "Thank you, goodbye 🙏",
    },
    "media_kept_photo": {
        "id": "Foto kami simpan. Sekarang ceritakan masalahnya: apa yang terjadi, di mana, sejak kapan.",
        "en": "Photo kept. Now describe the problem: what happened, where, since when.",
    },
    "media_kept_location": {
        "id": "Lokasi kami simpan. Sekarang ceritakan masalahnya: apa yang terjadi dan sejak kapan.",
        "en": "Location kept. Now describe the problem: what happened and since when.",
    },
    "detail_kept": {
        "id": "Keterangan tambahan kami catat pada laporan Anda.",
        "en": "The extra detail is added to your complaint.",
    },
    "code_mentioned": {
        "id": "(Untuk cek status laporan {code}, ketik CEK {code}.)",
        "en": "(To check complaint {code}, type STATUS {code}.)",
    },
    "erase_confirm": {
        "id": (
            "Hapus data pribadi Anda (nama, nomor, akun, riwayat percakapan)? Laporan tetap tersimpan tanpa "
            "identitas. Balas YA, atau YA FOTO untuk menghapus juga foto yang Anda kirim, atau TIDAK."
        ),
        "en": (
            "Delete your personal data (name, number, account, conversation history)? Complaints stay without "
            "identity. Reply YES, or YES PHOTOS to also delete the photos you sent, or NO."
        ),
    },
    "erased": {
        "id": "Data pribadi Anda telah dihapus ({count} laporan kini tanpa identitas). Anda tidak akan menerima kabar lagi.",
        "en": "Your personal data was deleted ({count} complaints now without identity). You will get no more updates.",
    },
    "erase_kept": {
        "id": "Baik, data Anda tidak dihapus.",
        "en": "OK, your data was not deleted.",
    },
    "blocked": {
        "id": "Maaf, pesan dari nomor ini tidak dapat kami proses. Hubungi kantor Diskominfo bila ini keliru.",
        "en": "Sorry, we cannot process messages from this sender. Contact the Diskominfo office if this is a mistake.",
    },
    "language_set": {
        "id": "Bahasa diganti ke Bahasa Indonesia.",
        "en": "Language switched to English.",
    },
    "start_place": {
        "id": "Lokasi laporan sudah diisi: {place}.",
        "en": "Location preset: {place}.",
    },
    "error": {
        "id": "Maaf, terjadi gangguan. Pesan Anda belum diproses; silakan kirim ulang sebentar lagi.",
        "en": "Sorry, something went wrong. Your message was not processed; please send it again shortly.",
    },
}


def say(key: str, language: str, **values: Any) -> str:
    variants = TEXTS[key]
    template = variants.get(language) or variants["id"]
    return template.format(**values)
