// i18n — the dashboard's words in Vietnamese (default) and English.
export const WORDS = {
  vi: {
    title: 'OCOP — Mỗi xã một sản phẩm',
    overview: 'Tổng quan', integrity: 'Liêm chính', fairs: 'Hội chợ', language: 'English',
    login: 'Đăng nhập', logout: 'Đăng xuất', token: 'Mã truy cập (token)', public_view: 'Công khai',
    officer_view: 'Đã đăng nhập', product_id: 'Mã sản phẩm', open: 'Xem',
    national: 'Toàn quốc: sản phẩm OCOP theo tỉnh, thành phố', year: 'Năm', all_years: 'Tất cả các năm',
    province: 'Tỉnh, thành phố', stars3: '3 sao', stars4: '4 sao', stars5: '5 sao', proposed5: 'Đề nghị 5 sao',
    products: 'Sản phẩm', entities: 'Chủ thể', total: 'Tổng cộng',
    totals_line: '{products} sản phẩm của {entities} chủ thể: {s5} sản phẩm 5 sao, {p5} đề nghị 5 sao, {s4} sản phẩm 4 sao, {s3} sản phẩm 3 sao.',
    sector: 'Ngành', stages: 'Các bước của chu trình OCOP', stage: 'Bước', count: 'Số lượng',
    upcoming_fairs: 'Hội chợ sắp tới', no_fairs: 'Chưa có hội chợ sắp tới.', start: 'Bắt đầu', end: 'Kết thúc',
    name: 'Tên', entity: 'Chủ thể', stage_now: 'Bước hiện tại', stars: 'Hạng sao', certificate: 'Giấy chứng nhận',
    valid_until: 'Có hiệu lực đến', certificate_valid: 'Còn hiệu lực', certificate_invalid: 'Hết hiệu lực',
    no_certificate: 'Chưa có giấy chứng nhận', stage_history: 'Lịch sử các bước', rating_history: 'Lịch sử xếp hạng',
    login_for_history: 'Đăng nhập (cán bộ) để xem lịch sử các bước.', time: 'Thời gian', from: 'Từ', to: 'Đến',
    action: 'Thao tác', by: 'Người thực hiện', reason: 'Lý do', old_stars: 'Hạng cũ', new_stars: 'Hạng mới',
    session: 'Phiên đánh giá', proof: 'Bằng chứng trong sổ kiểm toán',
    proof_verified: 'Đã kiểm chứng: xếp hạng mới nhất nằm trong cây Merkle có đầu cây được ký',
    proof_failed: 'KHÔNG kiểm chứng được', proof_none: 'Chưa có thay đổi xếp hạng nào trong sổ kiểm toán.',
    tree_size: 'Kích thước cây', root: 'Gốc', entry: 'Mục',
    bunching: 'Dồn điểm ngay trên ngưỡng 50/70/90 (z theo hội đồng, tỉnh-năm)',
    leniency: 'Độ dễ dãi của thành viên hội đồng (z)', group: 'Nhóm', sample: 'Cỡ mẫu', none: 'Chưa có dữ liệu.',
    fair: 'Hội chợ', organiser: 'Đơn vị tổ chức', venue: 'Địa điểm', booths: 'Gian hàng', booth: 'Gian',
    state: 'Trạng thái', waiting: 'Chờ', allocate: 'Phân bổ gian hàng', allocated: 'Đã phân bổ',
    applications: 'Đơn đăng ký', loading: 'Đang tải…', error: 'Lỗi', not_found: 'Không tìm thấy',
    region: 'Vùng', source: 'Nguồn', calendar: 'Lịch xúc tiến thương mại toàn quốc',
  },
  en: {
    title: 'OCOP — One Commune One Product',
    overview: 'Overview', integrity: 'Integrity', fairs: 'Fairs', language: 'Tiếng Việt',
    login: 'Log in', logout: 'Log out', token: 'Access token', public_view: 'Public',
    officer_view: 'Logged in', product_id: 'Product id', open: 'Open',
    national: 'National: OCOP products by province', year: 'Year', all_years: 'All years',
    province: 'Province', stars3: '3 stars', stars4: '4 stars', stars5: '5 stars', proposed5: 'Proposed 5 stars',
    products: 'Products', entities: 'Entities', total: 'Total',
    totals_line: '{products} products of {entities} entities: {s5} 5-star, {p5} proposed for 5 stars, {s4} 4-star, {s3} 3-star.',
    sector: 'Sector', stages: 'Stages of the OCOP cycle', stage: 'Stage', count: 'Count',
    upcoming_fairs: 'Upcoming fairs', no_fairs: 'No upcoming fairs.', start: 'Start', end: 'End',
    name: 'Name', entity: 'Entity', stage_now: 'Current stage', stars: 'Stars', certificate: 'Certificate',
    valid_until: 'Valid until', certificate_valid: 'Valid', certificate_invalid: 'Not valid',
    no_certificate: 'No certificate yet', stage_history: 'Stage history', rating_history: 'Rating history',
    login_for_history: 'Log in (officers) to see the stage history.', time: 'Time', from: 'From', to: 'To',
    action: 'Action', by: 'By', reason: 'Reason', old_stars: 'Old', new_stars: 'New',
    session: 'Session', proof: 'Proof in the audit log',
    proof_verified: 'Verified: the latest rating is in the Merkle tree of a signed tree head',
    proof_failed: 'NOT verified', proof_none: 'No rating change in the audit log yet.',
    tree_size: 'Tree size', root: 'Root', entry: 'Entry',
    bunching: 'Scores bunching just above 50/70/90 (z by council, province-year)',
    leniency: 'Council members’ leniency (z)', group: 'Group', sample: 'Sample', none: 'No data yet.',
    fair: 'Fair', organiser: 'Organiser', venue: 'Venue', booths: 'Booths', booth: 'Booth',
    state: 'State', waiting: 'Waiting', allocate: 'Allocate booths', allocated: 'Allocated',
    applications: 'Applications', loading: 'Loading…', error: 'Error', not_found: 'Not found',
    region: 'Region', source: 'Source', calendar: 'National trade-promotion calendar',
  },
};

export const SECTORS = {
  vi: { 1: 'Thực phẩm', 2: 'Đồ uống', 3: 'Thảo dược', 4: 'Vải và may mặc', 5: 'Lưu niệm, nội thất, trang trí', 6: 'Dịch vụ du lịch nông thôn' },
  en: { 1: 'Food', 2: 'Beverages', 3: 'Herbal products', 4: 'Textiles and garments', 5: 'Souvenirs, furniture, decoration', 6: 'Rural tourism services' },
};

export function stageName(lang, stage) {
  const vi = {
    idea_submitted: 'Đăng ký ý tưởng', idea_rejected: 'Ý tưởng bị từ chối', plan_preparing: 'Chuẩn bị phương án',
    plan_submitted: 'Nộp phương án', plan_rejected: 'Phương án bị từ chối', dossier_preparing: 'Chuẩn bị hồ sơ',
    dossier_submitted: 'Nộp hồ sơ', ready_for_evaluation: 'Sẵn sàng đánh giá', trade_promotion: 'Xúc tiến thương mại',
    withdrawn: 'Rút hồ sơ', evaluating: 'Đang đánh giá',
  };
  return lang === 'vi' ? (vi[stage] || stage) : stage.replaceAll('_', ' ');
}
