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
    "smalltalk_laughter": {
        "id": "😄 Bila ada masalah layanan publik, ketik saja di sini (apa, di mana).",
        "en": "😄 If there is a public-service problem, just type it here (what, where).",
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
    "ask_contact": {
        "id": "Agar bisa kami kabari perkembangannya, tulis nomor WhatsApp/HP atau alamat e-mail Anda. "
              "Ketik LEWATI jika tidak ingin dikabari (cek sendiri dengan CEK <kode>).",
        "en": "So we can tell you how it goes, type your WhatsApp/mobile number or e-mail address. "
              "Type SKIP if you would rather check yourself (STATUS <code>).",
    },
    "contact_saved": {
        "id": "Terima kasih. Perkembangan laporan Anda akan kami kirim ke {contact}.",
        "en": "Thank you. We will send updates on your complaint to {contact}.",
    },
    "contact_skipped": {
        "id": "Baik. Anda bisa mengecek perkembangannya kapan saja dengan CEK <kode>.",
        "en": "All right. You can check on it any time with STATUS <code>.",
    },
    "contact_invalid": {
        "id": "Nomor atau e-mail itu belum bisa kami pakai. Contoh: 0812 3456 7890 atau nama@contoh.id. "
              "Ketik LEWATI untuk melewati.",
        "en": "We cannot use that number or e-mail. Example: 0812 3456 7890 or name@example.com. Type SKIP to skip.",
    },
    # --- officials (alerts answered from WhatsApp/Telegram): officials read Indonesian ------------------------
    "official_done": {
        "id": "{code}: {status}. Tercatat atas nama {name}.",
        "en": "{code}: {status}. Recorded for {name}.",
    },
    "official_kind_changed": {
        "id": "{code}: jenis laporan diubah menjadi {kind}. Tercatat atas nama {name}.",
        "en": "{code}: the kind is now {kind}. Recorded for {name}.",
    },
    "official_help": {
        "id": (
            "Balas pesan peringatan dengan: TERIMA | JAWAB <jawaban> | KOORDINASI <catatan> | BUKAN <alasan> | "
            "SELESAI | JENIS <pengaduan/aspirasi/informasi> | INFO. Kode boleh ditulis (huruf kecil juga), "
            "mis. JAWAB {example} Jalan sudah ditambal."
        ),
        "en": (
            "Reply to an alert with: TERIMA | JAWAB <answer> | KOORDINASI <note> | BUKAN <reason> | SELESAI | "
            "JENIS <pengaduan/aspirasi/informasi> | INFO. You may add the code, e.g. JAWAB {example} Fixed."
        ),
    },
    "official_help_for": {
        "id": "Untuk {code} ({subject}), balas: TERIMA | JAWAB <jawaban> | KOORDINASI <catatan> | BUKAN <alasan> | INFO.",
        "en": "For {code} ({subject}), reply: TERIMA | JAWAB <answer> | KOORDINASI <note> | BUKAN <reason> | INFO.",
    },
    "official_help_leader": {
        "id": "Terima kasih. Untuk {code} ({subject}): balas INFO untuk rinciannya, ALIHKAN <KODE_INSTANSI> untuk "
              "memindahkannya, atau buka dasbor.",
        "en": "Thank you. For {code} ({subject}): reply INFO for details, ALIHKAN <AGENCY_CODE> to move it, or open "
              "the dashboard.",
    },
    "official_stranger": {
        "id": "Maaf, nomor/akun ini tidak terdaftar sebagai petugas. Perintah tidak dijalankan.",
        "en": "Sorry, this number/account is not registered as an official. Nothing was done.",
    },
    "official_code_unknown": {
        "id": "Kode laporan {typed} tidak dikenali. Periksa kembali kodenya, mis. {example}.",
        "en": "The code {typed} is not valid. Please check it, e.g. {example}.",
    },
    "official_not_found": {
        "id": "Laporan {code} tidak ditemukan.",
        "en": "No complaint {code} found.",
    },
    "official_not_permitted": {
        "id": "Maaf, Anda tidak berwenang menjalankan {verb} untuk {code}.",
        "en": "Sorry, you may not do {verb} for {code}.",
    },
    "official_not_now": {
        "id": "{code} sekarang berstatus {status}, jadi {verb} tidak bisa dijalankan.",
        "en": "{code} is now {status}, so {verb} cannot be done.",
    },
    "official_failed": {
        "id": "{verb} untuk {code} belum bisa dijalankan. Silakan coba lagi atau lewat dasbor.",
        "en": "{verb} for {code} could not be done. Please try again or use the dashboard.",
    },
    "official_ask_answer": {
        "id": "Silakan tulis jawaban untuk {code} ({subject}). Balasan Anda berikutnya dikirim ke pelapor.",
        "en": "Please write the answer for {code} ({subject}). Your next message goes to the reporter.",
    },
    "official_ask_note": {
        "id": "Tulis catatan koordinasinya untuk {code}, mis. menunggu anggaran perbaikan dari provinsi.",
        "en": "Write the coordination note for {code}, e.g. waiting for the province's repair budget.",
    },
    "official_ask_agency": {
        "id": "Tulis kode instansi tujuan, mis. ALIHKAN {code} PUPR.",
        "en": "Write the target agency's code, e.g. ALIHKAN {code} PUPR.",
    },
    "official_unknown_agency": {
        "id": "Kode instansi {agency} tidak dikenal. Contoh kode: {examples}.",
        "en": "Unknown agency code {agency}. Codes look like: {examples}.",
    },
    "official_same_agency": {
        "id": "{code} sudah ditangani {agency}.",
        "en": "{code} is already with {agency}.",
    },
    "official_ask_kind": {
        "id": "Tulis jenisnya: pengaduan, aspirasi atau permintaan informasi. Contoh: JENIS {code} aspirasi.",
        "en": "Write the kind: pengaduan, aspirasi or permintaan informasi. Example: JENIS {code} aspirasi.",
    },
    "official_which": {
        "id": "Ada beberapa laporan untuk {verb}. Laporan yang mana? Balas nomornya atau kodenya:\n{options}",
        "en": "Several complaints could take {verb}. Which one? Reply with its number or code:\n{options}",
    },
    "official_none_open": {
        "id": "Tidak ada laporan terbuka yang bisa di-{verb} dari Anda. Sertakan kodenya, mis. {verb} {example}.",
        "en": "No open complaint of yours can take {verb}. Add the code, e.g. {verb} {example}.",
    },
    "official_button_gone": {
        "id": "Tombol ini sudah tidak berlaku. Balas pesan peringatan terbaru atau sertakan kodenya.",
        "en": "This button no longer works. Reply to the latest alert or add the code.",
    },
    "official_button_TERIMA": {"id": "Terima", "en": "Accept"},
    "official_button_JAWAB": {"id": "Jawab", "en": "Answer"},
    "official_button_BUKAN": {"id": "Bukan wewenang", "en": "Not ours"},
    "official_button_KOORDINASI": {"id": "Koordinasi", "en": "Coordinating"},
}


# Emergencies, the no-wrong-door first reply, and the words on buttons and labels: everything a citizen reads
# lives here in both languages (tests/test_reply_limits.py checks completeness and the limits).
TEXTS.update({
    "emergency_first": {
        "id": (
            "DARURAT: segera telepon {numbers}.\n{regional}"
            "Laporan Anda tercatat sebagai DARURAT dengan kode {code} dan sudah diteruskan ke {agency}; "
            "petugas piket diberi tahu sekarang, siang atau malam."
        ),
        "en": (
            "EMERGENCY: call {numbers} now.\n{regional}"
            "Your report is recorded as an EMERGENCY with code {code} and was sent to {agency}; "
            "the officer on duty is alerted now, day or night."
        ),
    },
    "emergency_regional": {
        "id": "Nomor darurat daerah: {numbers}.\n",
        "en": "Local emergency lines: {numbers}.\n",
    },
    "number_general": {"id": "darurat", "en": "emergency"},
    "number_fire": {"id": "damkar", "en": "fire"},
    "number_ambulance": {"id": "ambulans", "en": "ambulance"},
    "number_police": {"id": "polisi", "en": "police"},
    "external_first": {
        "id": (
            "Masalah ini wewenang {agency}, bukan Pemerintah Daerah. Agar cepat ditangani, hubungi langsung: "
            "{contact}.\nLaporan Anda tetap kami simpan dan teruskan ke sana."
        ),
        "en": (
            "This is a matter for {agency}, not the local government. For the fastest help, contact them "
            "directly: {contact}.\nWe still keep your report and forward it to them."
        ),
    },
    # The SMS form of "external_first" followed by the location question, in one segment.
    "external_first_where": {
        "id": "{agency}: hubungi langsung {contact}. Laporan tetap kami teruskan. Lokasinya di mana?",
        "en": "{agency}: contact {contact} directly. We still forward your report. Where is it?",
    },
    "choice_yes": {"id": "YA", "en": "YES"},
    "choice_no": {"id": "TIDAK", "en": "NO"},
    "choice_skip": {"id": "LEWATI", "en": "SKIP"},
    "choice_other": {"id": "PILIH LAIN", "en": "OTHER"},
    "choice_unknown": {"id": "TIDAK TAHU", "en": "DON'T KNOW"},
    "choice_yes_photos": {"id": "YA FOTO", "en": "YES PHOTOS"},
    "pick_unknown_label": {"id": "Tidak tahu", "en": "Don't know"},
    "privacy_normal": {"id": "Biasa", "en": "Normal"},
    "privacy_anonymous": {"id": "Anonim", "en": "Anonymous"},
    "privacy_confidential": {"id": "Rahasia", "en": "Confidential"},
    "privacy_both": {"id": "Anonim + rahasia", "en": "Anonymous + confidential"},
    "media_audio": {"id": "pesan suara", "en": "voice messages"},
    "media_video": {"id": "video", "en": "videos"},
    "media_sticker": {"id": "stiker", "en": "stickers"},
    "media_document": {"id": "dokumen", "en": "documents"},
    "media_other": {"id": "lampiran jenis ini", "en": "this kind of attachment"},
    "status_answer_line": {"id": "\nJawaban: {answer}", "en": "\nAnswer: {answer}"},
    "reply_with": {"id": "Balas", "en": "Reply"},
})

# One-segment forms for SMS (160 GSM-7 characters), for every text whose full form may not fit one.
SMS: dict[str, dict[str, str]] = {
    "welcome": {
        "id": "Pengaduan {region}: ketik masalah Anda (apa, di mana). CEK <kode> = status. BANTUAN = petunjuk.",
        "en": "{region} complaints: type your problem (what, where). STATUS <code> = status. HELP = help.",
    },
    "help": {
        "id": "Ketik masalahnya, mis. 'jalan berlubang depan SDN 2'. Perintah: LAPOR, CEK <kode>, BATAL, HAPUS DATA SAYA.",
        "en": "Type the problem, e.g. 'pothole near SDN 2'. Commands: REPORT, STATUS <code>, CANCEL, DELETE MY DATA.",
    },
    "text_too_long": {
        "id": "Pesan terlalu panjang ({length}/{limit} karakter). Kirim versi ringkas, atau balas LANJUT untuk tetap memakainya.",
        "en": "Message too long ({length}/{limit} characters). Send a shorter one, or reply CONTINUE to use it anyway.",
    },
    "ask_location": {
        "id": "Di mana lokasinya? Ketik alamat atau patokan. Ketik LEWATI jika tidak ada.",
        "en": "Where is it? Type an address or landmark. Type SKIP if none.",
    },
    "media_not_supported": {
        "id": "Maaf, kami belum bisa menerima {kind}. Mohon jelaskan dengan teks.",
        "en": "Sorry, we cannot accept {kind} yet. Please describe it in text.",
    },
    "ask_privacy": {
        "id": "Kerahasiaan: 1. Biasa 2. Anonim (identitas disembunyikan) 3. Rahasia (tidak publik) 4. Anonim dan rahasia",
        "en": "Privacy: 1. Normal 2. Anonymous (identity hidden) 3. Confidential (not public) 4. Anonymous and confidential",
    },
    "confirm_agency": {
        "id": "Diteruskan ke {agency}? Balas YA, PILIH LAIN, atau TIDAK TAHU.",
        "en": "Send to {agency}? Reply YES, OTHER, or DON'T KNOW.",
    },
    "confirm_external": {
        "id": "Wewenang {agency}; kami tetap teruskan. Balas YA, PILIH LAIN, atau TIDAK TAHU.",
        "en": "A matter for {agency}; we still forward it. Reply YES, OTHER, or DON'T KNOW.",
    },
    "pick_agency": {
        "id": "Instansi mana? Balas nomornya:\n{options}\n{unknown}. Tidak tahu",
        "en": "Which agency? Reply with its number:\n{options}\n{unknown}. Don't know",
    },
    "filed_dispatched": {
        "id": "Laporan tercatat: {code}. Cek: CEK {code}",
        "en": "Complaint recorded: {code}. Check: STATUS {code}",
    },
    "filed_triage": {
        "id": "Laporan tercatat: {code}. Cek: CEK {code}",
        "en": "Complaint recorded: {code}. Check: STATUS {code}",
    },
    "filed_forwarded": {
        "id": "Laporan tercatat: {code}, diteruskan ke {agency}. Cek: CEK {code}",
        "en": "Complaint recorded: {code}, forwarded to {agency}. Check: STATUS {code}",
    },
    "similar_exists": {
        "id": "Laporan serupa sudah ada ({status}). Balas YA untuk mendukungnya, TIDAK untuk laporan baru.",
        "en": "A similar complaint exists ({status}). Reply YES to support it, NO to file a new one.",
    },
    "similar_exists_neutral": {
        "id": "Laporan serupa sudah ada ({status}). Balas YA untuk mendukungnya, TIDAK untuk laporan baru.",
        "en": "A similar complaint exists ({status}). Reply YES to support it, NO to file a new one.",
    },
    "supported": {
        "id": "Terima kasih, Anda mendukung laporan itu dan akan menerima kabar statusnya.",
        "en": "Thank you, you support that complaint and will get its status updates.",
    },
    "daily_limit": {
        "id": "Anda sudah mengirim {limit} laporan hari ini. Lanjutkan besok, atau cek dengan CEK <kode>.",
        "en": "You filed {limit} complaints today. Continue tomorrow, or check one with STATUS <code>.",
    },
    "status_full": {
        "id": "{code}: {status}. Instansi: {agency}. Batas: {due}",
        "en": "{code}: {status}. Agency: {agency}. Due: {due}",
    },
    "status_mine": {
        "id": "Laporan Anda: {lines}",
        "en": "Your complaints: {lines}",
    },
    "feedback_thanks_closed": {
        "id": "Terima kasih, {code} ditutup sebagai selesai. Nilai pelayanan 1-5?",
        "en": "Thank you, {code} is closed as resolved. Rate the service 1-5?",
    },
    "erase_confirm": {
        "id": "Hapus data pribadi Anda? Laporan tetap ada tanpa identitas. Balas YA, YA FOTO (hapus foto juga), atau TIDAK.",
        "en": "Delete your personal data? Complaints stay without identity. Reply YES, YES PHOTOS (photos too), or NO.",
    },
    "erased": {
        "id": "Data pribadi Anda dihapus ({count} laporan kini tanpa identitas).",
        "en": "Your personal data was deleted ({count} complaints now without identity).",
    },
    "blocked": {
        "id": "Maaf, pesan dari nomor ini tidak dapat kami proses.",
        "en": "Sorry, we cannot process messages from this sender.",
    },
    "error": {
        "id": "Maaf, terjadi gangguan. Kirim ulang sebentar lagi.",
        "en": "Sorry, something went wrong. Please send it again shortly.",
    },
    "emergency_first": {
        "id": "DARURAT: telepon {numbers}. Laporan {code} diteruskan ke {agency_code}, petugas piket diberi tahu.",
        "en": "EMERGENCY: call {numbers}. Report {code} sent to {agency_code}; the officer on duty is alerted.",
    },
    "external_first": {
        "id": "{agency}: hubungi {contact}. Laporan tetap kami teruskan.",
        "en": "{agency}: contact {contact}. We still forward your report.",
    },
    "ask_solved_again": {
        "id": "Apakah laporan {code} sudah selesai? Balas YA, BELUM, atau SEBAGIAN.",
        "en": "Is complaint {code} solved? Reply YES, NO or PARTLY.",
    },
    # Without the emoji: one would turn the whole SMS into UCS-2 (70 characters a segment).
    "smalltalk_thanks": {
        "id": "Sama-sama. Bila ada masalah lain, ketik saja di sini.",
        "en": "You're welcome. If there is another problem, just type it here.",
    },
    "smalltalk_greeting": {
        "id": "Halo, ada yang bisa kami bantu? Ketik masalah Anda (apa, di mana), atau CEK <kode> untuk cek laporan.",
        "en": "Hello, how can we help? Describe your problem (what, where), or STATUS <code> to check a complaint.",
    },
    "smalltalk_ack": {"id": "Baik.", "en": "OK."},
    "smalltalk_farewell": {"id": "Terima kasih, sampai jumpa.", "en": "Thank you, goodbye."},
    "smalltalk_laughter": {"id": "Bila ada masalah layanan publik, ketik saja di sini (apa, di mana).",
                           "en": "If there is a public-service problem, just type it here (what, where)."},
    "external_first_where": {
        "id": "Hubungi langsung {contact}. Laporan tetap kami teruskan. Lokasinya di mana? (LEWATI bila tak ada)",
        "en": "Contact {contact} directly. We still forward your report. Where is it? (SKIP if none)",
    },
    "session_expired": {
        "id": "Percakapan sebelumnya berakhir ({hours} jam tanpa balasan); draf dihapus.",
        "en": "Your previous conversation expired ({hours} hours without reply); draft removed.",
    },
}

# Pieces of other texts (button words, labels, an appended line): never sent alone.
FRAGMENTS = frozenset({
    "number_general", "number_fire", "number_ambulance", "number_police", "emergency_regional", "choice_yes",
    "choice_no", "choice_skip", "choice_other", "choice_unknown", "choice_yes_photos", "pick_unknown_label",
    "privacy_normal", "privacy_anonymous", "privacy_confidential", "privacy_both", "media_audio", "media_video",
    "media_sticker", "media_document", "media_other", "status_answer_line", "reply_with",
})


def say(key: str, language: str, **values: Any) -> str:
    variants = TEXTS[key]
    template = variants.get(language) or variants["id"]
    return template.format(**values)


def say_sms(key: str, language: str, **values: Any) -> str:
    """The one-segment SMS form of a text (the full text when it is short enough to need none)."""
    variants = SMS.get(key) or TEXTS[key]
    template = variants.get(language) or variants["id"]
    return template.format(**values)
