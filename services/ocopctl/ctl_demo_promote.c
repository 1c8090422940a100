/* ctl_demo_promote — "ocopctl demo promote": the demo's trade promotion for one year, run the
 * way the promotion service runs it.
 *
 * Straight to the services of the config, like demo evaluate: the year's fairs are created (a
 * dozen provincial and regional fairs, 120 to 400 booths, fair-share but one first-come-first-
 * served); each of the 34 provinces submits its yearly plan as its Department of Industry and
 * Trade ("so-cong-thuong@<province>", the caller pro_plan accepts), and the overlaps the
 * calendar finds in its region are printed; certified products apply to the fairs, drawn from
 * the seed and weighted to the host province and its region so that the big fairs are
 * oversubscribed, and every fair is allocated; every province opens three points of sale
 * (950/QĐ-BCT location types) listing certified products of the province.
 *
 * Eligibility is promotion's own view: its replica of evaluation's certificates, waited for
 * (bounded) until it holds the last certificate each evaluation shard issued. What promotion
 * holds already is read back from its events (plans, fairs, applications, points of sale,
 * listings), and every write carries a request id derived from what it does, so running it
 * again writes nothing, also after the service has forgotten its request ids. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ocop_date.h"
#include "ocop_error.h"
#include "ocop_service.h"

#define S_WINDOW 512
#define S_WAIT_MS 60000
#define S_SHARDS_MAX 64
#define S_POS 3
#define S_PLAN_ITEMS 5
#define S_RID_MAX 32 /* what ocop_client_pipeline keeps of a request id */
#define S_SEP '\x1f' /* between key and value in the map of what exists */
#define S_LT(x) OCOP__LOCATION_TYPE__LOCATION_TYPE_##x

/* ---------------------------------------------------------------- the demo's data */

typedef struct {
    const char *name, *kind, *day; /* day: MM-DD of the first day */
    int days;
} s_event_t;

typedef struct {
    Ocop__LocationType type;
    const char *name, *address, *channel;
    unsigned capacity;
} s_pos_t;

typedef struct {
    const char *code, *name;
    int region; /* the socio-economic region of services/promotion/data/regions.json, 0..5 */
    s_event_t signature;
    s_pos_t pos[S_POS];
} s_province_t;

/* The 34 provinces of the 2025 map, each with its best-known yearly event and three points of
 * sale. Illustrative: places are real, the shops are the demo's. */
/* clang-format off */
static const s_province_t s_provinces[] = {
    {"01", "Hà Nội", 1, {"Lễ hội Quà tặng Du lịch Hà Nội", "festival", "10-09", 4},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Sân bay Quốc tế Nội Bài", "Nhà ga T2, Nội Bài, Hà Nội", "", 150},
      {S_LT(CRAFT_VILLAGE), "Điểm giới thiệu sản phẩm OCOP Làng gốm Bát Tràng", "Bát Tràng, Hà Nội", "", 120},
      {S_LT(SUPERMARKET), "Quầy sản phẩm OCOP Co.opmart Hà Đông", "Hà Đông, Hà Nội", "Co.opmart", 200}}},
    {"04", "Cao Bằng", 0, {"Tuần Văn hóa – Du lịch Non nước Cao Bằng", "festival", "09-05", 5},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Khu du lịch Thác Bản Giốc", "Đàm Thủy, Cao Bằng", "", 60},
      {S_LT(MARKET), "Gian hàng OCOP Chợ Xanh Cao Bằng", "Thục Phán, Cao Bằng", "", 60},
      {S_LT(E_COMMERCE), "Gian hàng OCOP Cao Bằng trên Postmart", "postmart.vn", "Postmart", 200}}},
    {"08", "Tuyên Quang", 0, {"Lễ hội Hoa Tam giác mạch Hà Giang", "festival", "11-01", 5},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Cột cờ Lũng Cú", "Lũng Cú, Tuyên Quang", "", 50},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP cao tốc Tuyên Quang – Phú Thọ", "Tuyên Quang", "", 60},
      {S_LT(E_COMMERCE), "Gian hàng OCOP Tuyên Quang trên Voso", "voso.vn", "Voso", 200}}},
    {"11", "Điện Biên", 0, {"Lễ hội Hoa Ban", "festival", "03-12", 4},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Điện Biên", "Điện Biên Phủ, Điện Biên", "", 60},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Di tích Đồi A1", "Điện Biên Phủ, Điện Biên", "", 50},
      {S_LT(E_COMMERCE), "Gian hàng OCOP Điện Biên trên Postmart", "postmart.vn", "Postmart", 150}}},
    {"12", "Lai Châu", 0, {"Ngày hội Sâm Lai Châu", "festival", "12-10", 3},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Cao nguyên Sìn Hồ", "Sìn Hồ, Lai Châu", "", 50},
      {S_LT(POST_OFFICE), "Điểm bán sản phẩm OCOP Bưu điện tỉnh Lai Châu", "Tân Phong, Lai Châu", "Vietnam Post", 80},
      {S_LT(E_COMMERCE), "Gian hàng OCOP Lai Châu trên Shopee", "shopee.vn", "Shopee", 150}}},
    {"14", "Sơn La", 0, {"Tuần lễ Xoài và nông sản an toàn Sơn La tại Hà Nội", "week", "06-06", 7},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Khu du lịch Mộc Châu", "Mộc Châu, Sơn La", "", 120},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP Quốc lộ 6 Mộc Châu", "Mộc Châu, Sơn La", "", 60},
      {S_LT(E_COMMERCE), "Gian hàng OCOP Sơn La trên Postmart", "postmart.vn", "Postmart", 250}}},
    {"15", "Lào Cai", 0, {"Hội chợ Thương mại Quốc tế Việt – Trung (Lào Cai)", "fair", "11-25", 5},
     {{S_LT(STATION), "Điểm bán sản phẩm OCOP Ga Lào Cai", "Ga Lào Cai, Lào Cai", "", 60},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Sa Pa", "Sa Pa, Lào Cai", "", 120},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP cao tốc Nội Bài – Lào Cai", "Văn Chấn, Lào Cai", "", 80}}},
    {"19", "Thái Nguyên", 0, {"Festival Trà Thái Nguyên", "festival", "11-12", 5},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Khu du lịch Hồ Núi Cốc", "Núi Cốc, Thái Nguyên", "", 80},
      {S_LT(CRAFT_VILLAGE), "Điểm giới thiệu sản phẩm OCOP Vùng chè Tân Cương", "Tân Cương, Thái Nguyên", "", 100},
      {S_LT(SUPERMARKET), "Quầy sản phẩm OCOP GO! Thái Nguyên", "Phan Đình Phùng, Thái Nguyên", "GO!", 150}}},
    {"20", "Lạng Sơn", 0, {"Tuần lễ Na Chi Lăng", "week", "08-15", 7},
     {{S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP cao tốc Bắc Giang – Lạng Sơn", "Chi Lăng, Lạng Sơn", "", 80},
      {S_LT(MARKET), "Gian hàng OCOP Chợ Đông Kinh", "Đông Kinh, Lạng Sơn", "", 80},
      {S_LT(E_COMMERCE), "Gian hàng OCOP Lạng Sơn trên Postmart", "postmart.vn", "Postmart", 200}}},
    {"22", "Quảng Ninh", 1, {"Ngày hội Trà hoa vàng Ba Chẽ", "festival", "12-12", 3},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Sân bay Vân Đồn", "Vân Đồn, Quảng Ninh", "", 200},
      {S_LT(TOURIST_SITE), "Trung tâm giới thiệu sản phẩm OCOP Hạ Long", "Bãi Cháy, Quảng Ninh", "", 300},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP cao tốc Hạ Long – Vân Đồn", "Vân Đồn, Quảng Ninh", "", 80}}},
    {"24", "Bắc Ninh", 1, {"Tuần lễ Vải thiều Lục Ngạn", "week", "06-12", 7},
     {{S_LT(CRAFT_VILLAGE), "Điểm giới thiệu sản phẩm OCOP Làng tranh Đông Hồ", "Thuận Thành, Bắc Ninh", "", 60},
      {S_LT(MALL), "Quầy sản phẩm OCOP AEON Mall Bắc Ninh", "Võ Cường, Bắc Ninh", "AEON", 150},
      {S_LT(E_COMMERCE), "Gian hàng OCOP Bắc Ninh trên TikTok Shop", "tiktok.com", "TikTok Shop", 300}}},
    {"25", "Phú Thọ", 0, {"Hội chợ sản phẩm OCOP dịp Giỗ Tổ Hùng Vương", "fair", "04-12", 6},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Khu di tích Đền Hùng", "Hy Cương, Phú Thọ", "", 120},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Tam Đảo", "Tam Đảo, Phú Thọ", "", 80},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP cao tốc Hòa Lạc – Hòa Bình", "Hòa Bình, Phú Thọ", "", 60}}},
    {"31", "Hải Phòng", 1, {"Lễ hội Vải thiều Thanh Hà", "festival", "06-08", 3},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Quốc tế Cát Bi", "Hải An, Hải Phòng", "", 100},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Cát Bà", "Cát Hải, Hải Phòng", "", 80},
      {S_LT(SUPERMARKET), "Quầy sản phẩm OCOP WinMart Hải Dương", "Thành Đông, Hải Phòng", "WinMart", 150}}},
    {"33", "Hưng Yên", 1, {"Lễ hội Nhãn lồng Hưng Yên", "festival", "07-25", 3},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Phố Hiến", "Phố Hiến, Hưng Yên", "", 80},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP cao tốc Hà Nội – Hải Phòng", "Hưng Yên", "", 80},
      {S_LT(E_COMMERCE), "Gian hàng OCOP Hưng Yên trên Postmart", "postmart.vn", "Postmart", 250}}},
    {"37", "Ninh Bình", 1, {"Tuần Du lịch Ninh Bình – Sắc vàng Tam Cốc", "festival", "05-28", 5},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Khu du lịch Tràng An", "Hoa Lư, Ninh Bình", "", 150},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP cao tốc Cầu Giẽ – Ninh Bình", "Phủ Lý, Ninh Bình", "", 80},
      {S_LT(CRAFT_VILLAGE), "Điểm giới thiệu sản phẩm OCOP Làng nghề thêu ren Văn Lâm", "Hoa Lư, Ninh Bình", "", 60}}},
    {"38", "Thanh Hóa", 2, {"Lễ hội Du lịch biển Sầm Sơn", "festival", "04-28", 5},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Thọ Xuân", "Thọ Xuân, Thanh Hóa", "", 80},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Sầm Sơn", "Sầm Sơn, Thanh Hóa", "", 100},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP cao tốc Bắc – Nam qua Thanh Hóa", "Thanh Hóa", "", 80}}},
    {"40", "Nghệ An", 2, {"Tuần lễ Cam Vinh", "week", "11-28", 7},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Quốc tế Vinh", "Vinh Phú, Nghệ An", "", 100},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Khu di tích Kim Liên", "Kim Liên, Nghệ An", "", 80},
      {S_LT(E_COMMERCE), "Gian hàng OCOP Nghệ An trên Voso", "voso.vn", "Voso", 300}}},
    {"42", "Hà Tĩnh", 2, {"Tuần lễ Cam và nông sản Hà Tĩnh", "week", "11-10", 7},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Biển Thiên Cầm", "Thiên Cầm, Hà Tĩnh", "", 60},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP Quốc lộ 1 Hà Tĩnh", "Hà Tĩnh", "", 60},
      {S_LT(POST_OFFICE), "Điểm bán sản phẩm OCOP Bưu điện tỉnh Hà Tĩnh", "Thành Sen, Hà Tĩnh", "Vietnam Post", 80}}},
    {"44", "Quảng Trị", 2, {"Festival Vì Hòa bình", "festival", "07-20", 5},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Đồng Hới", "Đồng Hới, Quảng Trị", "", 100},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Phong Nha – Kẻ Bàng", "Phong Nha, Quảng Trị", "", 120},
      {S_LT(POST_OFFICE), "Điểm bán sản phẩm OCOP Bưu điện tỉnh Quảng Trị", "Đông Hà, Quảng Trị", "Vietnam Post", 60}}},
    {"46", "Huế", 2, {"Tuần lễ Festival Huế", "festival", "06-03", 6},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Quốc tế Phú Bài", "Phú Bài, Huế", "", 100},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Đại Nội Huế", "Phú Xuân, Huế", "", 120},
      {S_LT(MARKET), "Gian hàng OCOP Chợ Đông Ba", "Phú Xuân, Huế", "", 100}}},
    {"48", "Đà Nẵng", 2, {"Không gian sản phẩm OCOP – Lễ hội Pháo hoa Quốc tế Đà Nẵng", "festival", "06-14", 29},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Quốc tế Đà Nẵng", "Hải Châu, Đà Nẵng", "", 200},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Phố cổ Hội An", "Hội An, Đà Nẵng", "", 150},
      {S_LT(STATION), "Điểm bán sản phẩm OCOP Ga Đà Nẵng", "Thanh Khê, Đà Nẵng", "", 60}}},
    {"51", "Quảng Ngãi", 2, {"Ngày hội Sâm Ngọc Linh", "festival", "08-20", 4},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Đảo Lý Sơn", "Lý Sơn, Quảng Ngãi", "", 60},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP cao tốc Đà Nẵng – Quảng Ngãi", "Quảng Ngãi", "", 80},
      {S_LT(SUPERMARKET), "Quầy sản phẩm OCOP Co.opmart Quảng Ngãi", "Cẩm Thành, Quảng Ngãi", "Co.opmart", 150}}},
    {"52", "Gia Lai", 3, {"Tuần lễ Cà phê và Hồ tiêu Gia Lai", "week", "11-05", 5},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Pleiku", "Pleiku, Gia Lai", "", 80},
      {S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Phù Cát", "Phù Cát, Gia Lai", "", 80},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Biển Hồ Pleiku", "Biển Hồ, Gia Lai", "", 50}}},
    {"56", "Khánh Hòa", 2, {"Festival Biển Nha Trang – Khánh Hòa", "festival", "06-15", 5},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Quốc tế Cam Ranh", "Cam Ranh, Khánh Hòa", "", 200},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Tháp Bà Ponagar", "Nha Trang, Khánh Hòa", "", 60},
      {S_LT(CRAFT_VILLAGE), "Điểm giới thiệu sản phẩm OCOP Làng gốm Bàu Trúc", "Ninh Phước, Khánh Hòa", "", 60}}},
    {"66", "Đắk Lắk", 3, {"Ngày hội Hoa vàng trên cỏ xanh Phú Yên", "festival", "03-20", 3},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Buôn Ma Thuột", "Buôn Ma Thuột, Đắk Lắk", "", 100},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Bảo tàng Thế giới Cà phê", "Buôn Ma Thuột, Đắk Lắk", "", 80},
      {S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Tuy Hòa", "Tuy Hòa, Đắk Lắk", "", 60}}},
    {"68", "Lâm Đồng", 3, {"Lễ hội Thanh long Bình Thuận", "festival", "08-01", 3},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Liên Khương", "Đức Trọng, Lâm Đồng", "", 120},
      {S_LT(MARKET), "Gian hàng OCOP Chợ Đà Lạt", "Xuân Hương – Đà Lạt, Lâm Đồng", "", 150},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Mũi Né", "Mũi Né, Lâm Đồng", "", 80}}},
    {"75", "Đồng Nai", 4, {"Lễ hội Hạt điều Bình Phước", "festival", "03-27", 3},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Quốc tế Long Thành", "Long Thành, Đồng Nai", "", 200},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP cao tốc Long Thành – Dầu Giây", "Long Thành, Đồng Nai", "", 80},
      {S_LT(SUPERMARKET), "Quầy sản phẩm OCOP Co.opmart Biên Hòa", "Trấn Biên, Đồng Nai", "Co.opmart", 150}}},
    {"79", "TP. Hồ Chí Minh", 4, {"Lễ hội Trái cây Nam Bộ", "festival", "06-05", 10},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Sân bay Tân Sơn Nhất (nhà ga T3)", "Tân Sơn Nhất, TP. Hồ Chí Minh", "",
       250},
      {S_LT(SUPERMARKET), "Quầy sản phẩm OCOP Co.opmart Cống Quỳnh", "Bến Thành, TP. Hồ Chí Minh", "Co.opmart", 300},
      {S_LT(E_COMMERCE), "Gian hàng OCOP TP. Hồ Chí Minh trên Shopee", "shopee.vn", "Shopee", 500}}},
    {"80", "Tây Ninh", 4, {"Hội Xuân Núi Bà Đen", "festival", "02-10", 10},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Khu du lịch Núi Bà Đen", "Tây Ninh", "", 120},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP cao tốc TP. Hồ Chí Minh – Trung Lương", "Tân An, Tây Ninh", "", 80},
      {S_LT(E_COMMERCE), "Gian hàng OCOP Tây Ninh trên Postmart", "postmart.vn", "Postmart", 200}}},
    {"82", "Đồng Tháp", 5, {"Festival Hoa – Kiểng Sa Đéc", "festival", "12-20", 10},
     {{S_LT(CRAFT_VILLAGE), "Điểm giới thiệu sản phẩm OCOP Làng hoa Sa Đéc", "Sa Đéc, Đồng Tháp", "", 80},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Cù lao Thới Sơn", "Thới Sơn, Đồng Tháp", "", 80},
      {S_LT(HIGHWAY_STOP), "Trạm dừng nghỉ OCOP cao tốc Trung Lương – Mỹ Thuận", "Đồng Tháp", "", 80}}},
    {"86", "Vĩnh Long", 5, {"Lễ hội Dừa Bến Tre", "festival", "04-08", 4},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Cồn Phụng", "Cồn Phụng, Vĩnh Long", "", 80},
      {S_LT(CRAFT_VILLAGE), "Điểm giới thiệu sản phẩm OCOP Làng gốm đỏ Mang Thít", "Mang Thít, Vĩnh Long", "", 60},
      {S_LT(SUPERMARKET), "Quầy sản phẩm OCOP Co.opmart Trà Vinh", "Trà Vinh, Vĩnh Long", "Co.opmart", 120}}},
    {"91", "An Giang", 5, {"Hội chợ Thương mại biên giới Việt Nam – Campuchia (An Giang)", "fair", "10-20", 6},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Quốc tế Phú Quốc", "Phú Quốc, An Giang", "", 200},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Miếu Bà Chúa Xứ Núi Sam", "Châu Đốc, An Giang", "", 100},
      {S_LT(MARKET), "Gian hàng OCOP Chợ Châu Đốc", "Châu Đốc, An Giang", "", 80}}},
    {"92", "Cần Thơ", 5, {"Lễ hội Bánh dân gian Nam Bộ", "festival", "04-24", 5},
     {{S_LT(AIRPORT), "Điểm bán sản phẩm OCOP Cảng hàng không Quốc tế Cần Thơ", "Bình Thủy, Cần Thơ", "", 100},
      {S_LT(MARKET), "Gian hàng OCOP Chợ nổi Cái Răng", "Cái Răng, Cần Thơ", "", 60},
      {S_LT(SUPERMARKET), "Quầy sản phẩm OCOP GO! Cần Thơ", "Ninh Kiều, Cần Thơ", "GO!", 150}}},
    {"96", "Cà Mau", 5, {"Lễ hội Cua Cà Mau", "festival", "10-05", 3},
     {{S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Khu du lịch Mũi Cà Mau", "Đất Mũi, Cà Mau", "", 60},
      {S_LT(TOURIST_SITE), "Điểm bán sản phẩm OCOP Nhà Công tử Bạc Liêu", "Bạc Liêu, Cà Mau", "", 60},
      {S_LT(E_COMMERCE), "Gian hàng OCOP Cà Mau trên Postmart", "postmart.vn", "Postmart", 200}}},
};
/* clang-format on */
#define S_PROVINCES (sizeof s_provinces / sizeof s_provinces[0])

typedef struct {
    const char *province, *name; /* name: the year follows */
    const char *organiser, *venue, *day;
    int days;
    unsigned booths;
    const char *types, *focus; /* ';'-separated */
    const char *strategy;
    unsigned demand; /* applications per 100 booths, when enough products are eligible */
    double reach[3]; /* draw weight of a product of the host province, its region, elsewhere */
} s_fair_t;

/* The year's fairs: none overlaps another, so no entity is refused for exhibiting elsewhere. */
/* clang-format off */
static const s_fair_t s_fairs[] = {
    {"22", "Hội chợ OCOP Quảng Ninh – Xuân", "UBND tỉnh Quảng Ninh",
     "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh Quảng Ninh, Hạ Long", "01-09", 7, 400, "standard;corner;outdoor",
     "1;2", "fair-share", 150, {1, 0.3, 0.05}},
    {"66", "Hội chợ OCOP Tây Nguyên – Lễ hội Cà phê Buôn Ma Thuột", "UBND tỉnh Đắk Lắk",
     "Quảng trường 10 tháng 3, Buôn Ma Thuột", "03-10", 5, 150, "standard;outdoor", "2;1", "fair-share", 120,
     {1, 0.5, 0.05}},
    {"92", "Hội chợ OCOP vùng Đồng bằng sông Cửu Long", "Sở Công Thương thành phố Cần Thơ",
     "Công viên sông Hậu, Cần Thơ", "03-25", 5, 300, "standard;corner;outdoor", "1;2", "fair-share", 150,
     {1, 0.8, 0.05}},
    {"31", "Hội chợ OCOP vùng Đồng bằng sông Hồng", "Sở Công Thương thành phố Hải Phòng",
     "Cung Văn hóa Lao động Hữu nghị Việt – Tiệp, Hải Phòng", "04-20", 5, 250, "standard;corner", "", "fair-share",
     100, {1, 0.8, 0.05}},
    {"22", "Hội chợ OCOP Quảng Ninh – Hè", "UBND tỉnh Quảng Ninh",
     "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh Quảng Ninh, Hạ Long", "05-15", 7, 300, "standard;corner;outdoor",
     "1;2", "fair-share", 130, {1, 0.3, 0.05}},
    {"46", "Hội chợ Làng nghề và sản phẩm OCOP – Festival Nghề truyền thống Huế", "UBND thành phố Huế",
     "Công viên Thương Bạc, Huế", "06-05", 5, 120, "standard;outdoor", "4", "first-come-first-served", 140,
     {1, 0.5, 0.2}},
    {"48", "Hội chợ OCOP khu vực miền Trung – Tây Nguyên", "Sở Công Thương thành phố Đà Nẵng",
     "Cung Thể thao Tiên Sơn, Đà Nẵng", "07-08", 5, 250, "standard;corner", "", "fair-share", 110, {1, 0.8, 0.1}},
    {"19", "Hội chợ OCOP vùng Trung du và miền núi phía Bắc", "Sở Công Thương tỉnh Thái Nguyên",
     "Quảng trường Võ Nguyên Giáp, Thái Nguyên", "09-16", 5, 200, "standard;outdoor", "2;3", "fair-share", 120,
     {1, 0.8, 0.05}},
    {"75", "Hội chợ OCOP vùng Đông Nam Bộ", "Sở Công Thương tỉnh Đồng Nai", "Công viên Biên Hùng, Đồng Nai",
     "10-14", 5, 150, "standard", "", "fair-share", 90, {1, 0.8, 0.05}},
    {"01", "Hội chợ Sản phẩm OCOP và Làng nghề Hà Nội", "Sở Công Thương Hà Nội",
     "Trung tâm Hội chợ Triển lãm Quốc gia (VEC), Đông Anh, Hà Nội", "11-19", 5, 400, "standard;corner;outdoor",
     "1;2;4", "fair-share", 160, {1, 0.5, 0.2}},
    {"79", "Hội chợ Sản phẩm OCOP và Đặc sản vùng miền TP. Hồ Chí Minh", "Sở Công Thương TP. Hồ Chí Minh",
     "Trung tâm Hội chợ và Triển lãm Sài Gòn (SECC), TP. Hồ Chí Minh", "12-02", 5, 400, "standard;corner;outdoor",
     "1;2", "fair-share", 160, {1, 0.5, 0.2}},
    {"68", "Hội chợ OCOP – Festival Hoa Đà Lạt", "UBND tỉnh Lâm Đồng", "Quảng trường Lâm Viên, Đà Lạt", "12-16", 5,
     150, "standard;outdoor", "5;1", "fair-share", 100, {1, 0.5, 0.05}},
};
/* clang-format on */
#define S_FAIRS (sizeof s_fairs / sizeof s_fairs[0])

/* ---------------------------------------------------------------- the run */

/* What promotion holds already: sorted "key<S_SEP>value" strings (keys below). */
typedef struct {
    char **items;
    size_t n, cap;
} s_map_t;

typedef struct {
    const char *id, *entity, *sector, *expires;
    size_t province; /* index into s_provinces */
    bool eligible;   /* a valid 3★+ certificate in promotion's replica */
} s_product_t;

typedef struct {
    ctl_t *ctl;
    ocop_arena_t *arena;
    unsigned year;
    uint64_t seed;
    int timeout_ms;
    char today[OCOP_DATE_LEN];
    ocop_client_t *pro;
    s_map_t known;
    s_product_t *products; /* grouped by province: [first[p], first[p + 1]) */
    size_t n_products, n_eligible, first[S_PROVINCES + 1];
    char *fair_ids[S_FAIRS];
    size_t plans, plans_new, fairs_new, applied_new, refused, pos_new, listings, listings_new;
    uint64_t applications, booked, waiting;
} s_run_t;

static uint64_t s_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t s_hash(uint64_t seed, const char *s)
{
    uint64_t h = seed ^ 0x9E3779B97F4A7C15ULL;
    for (; *s; s++)
        h = s_mix(h + (unsigned char)*s);
    return h;
}

/* A uniform draw in (0, 1) from a hash. */
static double s_unit(uint64_t h)
{
    return ((double)(h >> 11) + 0.5) / 9007199254740992.0;
}

/* A request id naming what the request does; hashed when longer than a pipeline keeps. */
__attribute__((format(printf, 2, 3))) static char *s_rid(s_run_t *run, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (strlen(what) <= S_RID_MAX)
        return ocop_arena_strdup(run->arena, what);
    return ocop_arena_printf(run->arena, "demo-%016llx%011llx", (unsigned long long)s_hash(1, what),
                             (unsigned long long)(s_hash(2, what) >> 20));
}

static Ocop__Request *s_request(s_run_t *run, const char *rid)
{
    Ocop__Request *req = ocop_arena_alloc(run->arena, sizeof *req);
    ocop__request__init(req);
    req->request_id = rid ? (char *)rid : "";
    return req;
}

static char **s_list(s_run_t *run, const char *list, size_t *n)
{
    char **out = ocop_arena_alloc(run->arena, 8 * sizeof *out);
    char *copy = ocop_arena_strdup(run->arena, list), *save = NULL;
    *n = 0;
    for (char *tok = strtok_r(copy, ";", &save); tok && *n < 8; tok = strtok_r(NULL, ";", &save))
        out[(*n)++] = tok;
    return out;
}

/* ---------------------------------------------------------------- calls */

static int s_failed(const Ocop__Reply *r, const char *what)
{
    fprintf(stderr, "ocopctl demo promote: %s: %s (%s) %s\n", what, ocop_status_name(r->status), r->field, r->message);
    return ctl_exit_for_status(r->status);
}

/* One request, retried with its id; *reply is the caller's and OK. 0 / exit code. */
static int s_call(s_run_t *run, ocop_client_t *c, Ocop__Request *req, const char *what, Ocop__Reply **reply)
{
    if (ocop_client_call(c, req, reply, run->timeout_ms, 3) != 0) {
        fprintf(stderr, "ocopctl demo promote: %s: no reply within %d ms (3 attempts)\n", what, run->timeout_ms);
        return CTL_EXIT_UNAVAILABLE;
    }
    if ((*reply)->status == OCOP__STATUS__STATUS_OK)
        return 0;
    int rc = s_failed(*reply, what);
    ocop__reply__free_unpacked(*reply, NULL);
    *reply = NULL;
    return rc;
}

/* n requests pipelined; replies[i] answers reqs[i], each the caller's. 0 / exit code. */
static int s_pipeline(s_run_t *run, ocop_client_t *c, Ocop__Request **reqs, size_t n, const char *what,
                      Ocop__Reply **replies)
{
    if (n == 0 || ocop_client_pipeline(c, reqs, n, S_WINDOW, run->timeout_ms, replies) == 0)
        return 0;
    fprintf(stderr, "ocopctl demo promote: %s: a reply did not come within %d ms\n", what, run->timeout_ms);
    return CTL_EXIT_UNAVAILABLE;
}

static void s_replies_free(Ocop__Reply **replies, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (replies[i])
            ocop__reply__free_unpacked(replies[i], NULL);
    free(replies);
}

/* Counts what the service refused (a product that lost its certificate meanwhile, a full
 * shelf) and says why for the first; the rest is counted as done. */
static size_t s_count_ok(s_run_t *run, Ocop__Reply **replies, size_t n, const char *what)
{
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        if (replies[i]->status == OCOP__STATUS__STATUS_OK) {
            ok++;
            continue;
        }
        if (run->refused++ == 0)
            s_failed(replies[i], what);
    }
    return ok;
}

/* ---------------------------------------------------------------- what exists already */

static int s_item_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* key against an item's key (up to S_SEP). */
static int s_key_cmp(const void *k, const void *it)
{
    const char *key = k, *item = *(char *const *)it;
    size_t i = 0;
    for (; key[i] && item[i] != S_SEP; i++)
        if (key[i] != item[i])
            return (unsigned char)key[i] < (unsigned char)item[i] ? -1 : 1;
    return !key[i] && item[i] == S_SEP ? 0 : !key[i] ? -1 : 1;
}

/* 0, or -1 out of memory. */
static int s_map_add(s_run_t *run, const char *key, const char *value)
{
    s_map_t *m = &run->known;
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 1024;
        char **grown = realloc(m->items, cap * sizeof *grown);
        if (!grown)
            return -1;
        m->items = grown;
        m->cap = cap;
    }
    m->items[m->n] = ocop_arena_printf(run->arena, "%s%c%s", key, S_SEP, value ? value : "");
    return m->items[m->n++] ? 0 : -1;
}

/* The value of key, or NULL. */
static const char *s_map_get(const s_map_t *m, const char *key)
{
    char **at = m->n ? bsearch(key, m->items, m->n, sizeof *m->items, s_key_cmp) : NULL;
    return at ? strchr(*at, S_SEP) + 1 : NULL;
}

/* How many keys start with prefix. */
static size_t s_map_count(const s_map_t *m, const char *prefix)
{
    size_t lo = 0, hi = m->n, len = strlen(prefix), n = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->items[mid], prefix) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo + n < m->n && strncmp(m->items[lo + n], prefix, len) == 0)
        n++;
    return n;
}

static int s_known_event(s_run_t *run, const Ocop__Event *ev)
{
    char key[512];
    switch (ev->body_case) {
    case OCOP__EVENT__BODY_PRO_PLAN_SUBMITTED: {
        const Ocop__ProPlan *p = ev->pro_plan_submitted->plan;
        snprintf(key, sizeof key, "plan|%s|%u", p->province_code, p->year);
        return s_map_add(run, key, p->id);
    }
    case OCOP__EVENT__BODY_PRO_FAIR_CREATED:
        snprintf(key, sizeof key, "fair|%s", ev->pro_fair_created->fair->name);
        return s_map_add(run, key, ev->pro_fair_created->fair->id);
    case OCOP__EVENT__BODY_PRO_APPLIED:
        snprintf(key, sizeof key, "apply|%s|%s", ev->pro_applied->application->fair_id,
                 ev->pro_applied->application->product_id);
        return s_map_add(run, key, NULL);
    case OCOP__EVENT__BODY_PRO_POINT_OF_SALE_CREATED: {
        const Ocop__ProPointOfSale *p = ev->pro_point_of_sale_created->pos;
        snprintf(key, sizeof key, "pos|%s|%s", p->province_code, p->name);
        return s_map_add(run, key, p->id);
    }
    case OCOP__EVENT__BODY_PRO_LISTED:
        snprintf(key, sizeof key, "list|%s|%s", ev->pro_listed->listing->pos_id, ev->pro_listed->listing->product_id);
        return s_map_add(run, key, NULL);
    default:
        return 0;
    }
}

/* Reads every event promotion has published into run->known. */
static int s_known_load(s_run_t *run)
{
    uint64_t from = 1;
    for (;;) {
        Ocop__EventsFrom body = OCOP__EVENTS_FROM__INIT;
        body.from_sequence = from;
        body.max = 10000;
        Ocop__Request *req = s_request(run, NULL);
        req->body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
        req->events_from = &body;
        Ocop__Reply *reply;
        int rc = s_call(run, run->pro, req, "reading promotion's events", &reply);
        if (rc != 0)
            return rc;
        const Ocop__EventBatch *batch = reply->events;
        size_t n = batch->n_events;
        for (size_t i = 0; i < n; i++) {
            Ocop__Event *ev = ocop__event__unpack(NULL, batch->events[i].len, batch->events[i].data);
            if (!ev)
                continue;
            if (s_known_event(run, ev) != 0)
                rc = CTL_EXIT_FAILED;
            from = ev->sequence + 1;
            ocop__event__free_unpacked(ev, NULL);
        }
        bool more = n > 0 && from <= batch->last_sequence;
        ocop__reply__free_unpacked(reply, NULL);
        if (rc != 0)
            return rc;
        if (!more)
            break;
    }
    if (run->known.n)
        qsort(run->known.items, run->known.n, sizeof *run->known.items, s_item_cmp);
    return 0;
}

/* ---------------------------------------------------------------- certified products */

/* Registration's products in trade promotion, province by province. */
static int s_products_list(s_run_t *run, ocop_client_t *reg)
{
    size_t cap = 1024;
    if (!(run->products = malloc(cap * sizeof *run->products)))
        return CTL_EXIT_FAILED;
    for (size_t p = 0; p < S_PROVINCES; p++) {
        run->first[p] = run->n_products;
        char *cursor = "";
        do {
            Ocop__RegProductList list = OCOP__REG_PRODUCT_LIST__INIT;
            list.province_code = (char *)s_provinces[p].code;
            list.stage = OCOP__STAGE__STAGE_TRADE_PROMOTION;
            list.limit = 1000;
            list.cursor = cursor;
            Ocop__Request *req = s_request(run, NULL);
            req->body_case = OCOP__REQUEST__BODY_REG_PRODUCT_LIST;
            req->reg_product_list = &list;
            Ocop__Reply *reply;
            int rc = s_call(run, reg, req, "listing products in trade promotion", &reply);
            if (rc != 0)
                return rc;
            const Ocop__RegProductPage *page = reply->reg_product_page;
            for (size_t i = 0; i < page->n_products; i++) {
                if (run->n_products == cap) {
                    s_product_t *grown = realloc(run->products, 2 * cap * sizeof *grown);
                    if (!grown) {
                        ocop__reply__free_unpacked(reply, NULL);
                        return CTL_EXIT_FAILED;
                    }
                    run->products = grown;
                    cap *= 2;
                }
                s_product_t *x = &run->products[run->n_products++];
                *x = (s_product_t){.id = ocop_arena_strdup(run->arena, page->products[i]->id),
                                   .sector = ocop_arena_strdup(run->arena, page->products[i]->sector_code),
                                   .province = p};
            }
            cursor = ocop_arena_strdup(run->arena, page->next_cursor);
            ocop__reply__free_unpacked(reply, NULL);
        } while (*cursor);
    }
    run->first[S_PROVINCES] = run->n_products;
    return 0;
}

/* The last certificate a shard issued: its product and id ("" when it issued none), from its
 * newest events backwards, a thousand at a time. */
static int s_last_issued(s_run_t *run, ocop_client_t *shard, char *product, char *certificate, size_t len)
{
    product[0] = certificate[0] = '\0';
    Ocop__Request *req = s_request(run, NULL);
    req->body_case = OCOP__REQUEST__BODY_PING;
    Ocop__Ping ping = OCOP__PING__INIT;
    req->ping = &ping;
    Ocop__Reply *reply;
    int rc = s_call(run, shard, req, "pinging an evaluation shard", &reply);
    if (rc != 0)
        return rc;
    uint64_t last = reply->pong->last_sequence;
    ocop__reply__free_unpacked(reply, NULL);
    for (uint64_t to = last; to > 0 && !*product;) {
        uint64_t from = to > 1000 ? to - 999 : 1, at = from;
        for (uint64_t asked = 0; at <= to && at != asked;) {
            asked = at;
            Ocop__EventsFrom body = OCOP__EVENTS_FROM__INIT;
            body.from_sequence = at;
            body.max = (uint32_t)(to - at + 1);
            req = s_request(run, NULL);
            req->body_case = OCOP__REQUEST__BODY_EVENTS_FROM;
            req->events_from = &body;
            if ((rc = s_call(run, shard, req, "reading an evaluation shard's events", &reply)) != 0)
                return rc;
            size_t n = reply->events->n_events;
            for (size_t i = 0; i < n; i++) {
                Ocop__Event *ev =
                    ocop__event__unpack(NULL, reply->events->events[i].len, reply->events->events[i].data);
                if (!ev)
                    continue;
                at = ev->sequence + 1;
                if (ev->sequence <= to && ev->body_case == OCOP__EVENT__BODY_EVAL_CERTIFICATE_ISSUED &&
                    ev->eval_certificate_issued->certificate) {
                    snprintf(product, len, "%s", ev->eval_certificate_issued->certificate->product_id);
                    snprintf(certificate, len, "%s", ev->eval_certificate_issued->certificate->id);
                }
                ocop__event__free_unpacked(ev, NULL);
            }
            ocop__reply__free_unpacked(reply, NULL);
        }
        to = from - 1;
    }
    return 0;
}

/* Waits until promotion's replica holds the last certificate of every evaluation shard: its
 * subscribers apply each shard's events in order, so then it holds all of them. */
static int s_wait_replica(s_run_t *run)
{
    char shards[S_SHARDS_MAX][OCOP_NAME_MAX];
    size_t n = ocop_config_shards(run->ctl->config, "evaluation", shards, S_SHARDS_MAX);
    for (size_t s = 0; s < n; s++) {
        char product[64], certificate[64];
        ocop_client_t *shard = ctl_connect(run->ctl, shards[s]);
        int rc = shard ? s_last_issued(run, shard, product, certificate, sizeof product) : CTL_EXIT_UNAVAILABLE;
        ocop_client_destroy(&shard);
        if (rc != 0)
            return rc;
        for (int waited = 0; *product; waited += 100) {
            Ocop__ProProductGet get = OCOP__PRO_PRODUCT_GET__INIT;
            get.product_id = product;
            Ocop__Request *req = s_request(run, NULL);
            req->body_case = OCOP__REQUEST__BODY_PRO_PRODUCT_GET;
            req->pro_product_get = &get;
            Ocop__Reply *reply;
            if (ocop_client_call(run->pro, req, &reply, run->timeout_ms, 3) != 0)
                return CTL_EXIT_UNAVAILABLE;
            bool held = reply->status == OCOP__STATUS__STATUS_OK &&
                        strcmp(reply->pro_certificate_view->certificate_id, certificate) == 0;
            ocop__reply__free_unpacked(reply, NULL);
            if (held)
                break;
            if (waited >= S_WAIT_MS) {
                fprintf(stderr, "ocopctl demo promote: promotion has not learnt certificate %s of %s within %d s\n",
                        certificate, shards[s], S_WAIT_MS / 1000);
                return CTL_EXIT_UNAVAILABLE;
            }
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    return 0;
}

/* Promotion's view of every product: who may apply with it, until when. */
static int s_products_view(s_run_t *run)
{
    size_t n = run->n_products;
    Ocop__Request **reqs = ocop_arena_alloc(run->arena, (n + 1) * sizeof *reqs);
    Ocop__Reply **replies = calloc(n + 1, sizeof *replies);
    if (!replies)
        return CTL_EXIT_FAILED;
    for (size_t i = 0; i < n; i++) {
        Ocop__ProProductGet *get = ocop_arena_alloc(run->arena, sizeof *get);
        ocop__pro_product_get__init(get);
        get->product_id = (char *)run->products[i].id;
        reqs[i] = s_request(run, NULL);
        reqs[i]->body_case = OCOP__REQUEST__BODY_PRO_PRODUCT_GET;
        reqs[i]->pro_product_get = get;
    }
    int rc = s_pipeline(run, run->pro, reqs, n, "reading certificates", replies);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const Ocop__ProCertificateView *v = replies[i]->pro_certificate_view;
        s_product_t *x = &run->products[i];
        if (replies[i]->status != OCOP__STATUS__STATUS_OK || v->stars < 3 || *v->ended)
            continue;
        x->entity = ocop_arena_strdup(run->arena, v->entity_id);
        x->expires = ocop_arena_strdup(run->arena, v->expires);
        x->eligible = true;
        run->n_eligible++;
    }
    s_replies_free(replies, n);
    if (rc == 0)
        printf("demo: %zu products in trade promotion, %zu with a valid certificate in promotion's replica\n",
               run->n_products, run->n_eligible);
    return rc;
}

/* ---------------------------------------------------------------- drawing products */

typedef struct {
    double key;
    size_t product;
} s_draw_t;

static int s_draw_cmp(const void *a, const void *b)
{
    const s_draw_t *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return x->product < y->product ? -1 : x->product > y->product;
}

/* Weighted sampling without replacement (Efraimidis–Spirakis): each candidate's key is
 * log(u) / weight, the largest `want` keys are drawn, best first. Returns how many. */
static size_t s_draw(s_draw_t *cand, size_t n, size_t want)
{
    qsort(cand, n, sizeof *cand, s_draw_cmp);
    return n < want ? n : want;
}

static bool s_in_list(const char *list, const char *code)
{
    size_t len = strlen(code);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, code, len) == 0)
            return true;
        p += n + (end != NULL);
    }
    return false;
}

static size_t s_province_index(const char *code)
{
    for (size_t p = 0; p < S_PROVINCES; p++)
        if (strcmp(s_provinces[p].code, code) == 0)
            return p;
    return 0;
}

/* ---------------------------------------------------------------- plans */

static void s_item(s_run_t *run, Ocop__ProPlanItem *it, const char *name, const char *kind, unsigned month,
                   unsigned day, int days)
{
    char start[OCOP_DATE_LEN], end[OCOP_DATE_LEN];
    snprintf(start, sizeof start, "%04u-%02u-%02u", run->year, month, day);
    ocop_date_add_days(start, days - 1, end);
    ocop__pro_plan_item__init(it);
    it->name = (char *)name;
    it->kind = (char *)kind;
    it->start = ocop_arena_strdup(run->arena, start);
    it->end = ocop_arena_strdup(run->arena, end);
}

/* A province's plan: its signature event, a week of its products in the capital, an online
 * campaign around a shopping day, a supply-demand conference and, for about half of the
 * provinces that host no demo fair, a spring fair before Tết. */
static size_t s_plan_items(s_run_t *run, size_t p, Ocop__ProPlanItem **items)
{
    const s_province_t *pv = &s_provinces[p];
    uint64_t h = s_hash(run->seed, pv->code);
    ocop_arena_t *a = run->arena;
    size_t n = 0;
    for (size_t i = 0; i < S_PLAN_ITEMS; i++)
        items[i] = ocop_arena_alloc(a, sizeof *items[i]);
    unsigned month = (unsigned)atoi(pv->signature.day), day = (unsigned)atoi(pv->signature.day + 3);
    s_item(run, items[n++], ocop_arena_printf(a, "%s %u", pv->signature.name, run->year), pv->signature.kind, month,
           day, pv->signature.days);
    s_item(run, items[n++],
           ocop_arena_printf(a, "Tuần hàng sản phẩm OCOP %s tại %s", pv->name,
                             strcmp(pv->code, "01") == 0 ? "TP. Hồ Chí Minh" : "Hà Nội"),
           "week", 3 + (unsigned)(h % 8), 1 + (unsigned)((h >> 8) % 20), 7);
    static const unsigned shopping_days[] = {9, 10, 11, 12};
    unsigned shop = shopping_days[(h >> 16) % 4];
    s_item(run, items[n++],
           ocop_arena_printf(a, "Chiến dịch bán sản phẩm OCOP %s trên sàn thương mại điện tử (%s)", pv->name,
                             shop == 11   ? "11.11"
                             : shop == 12 ? "12.12"
                             : shop == 10 ? "10.10"
                                          : "9.9"),
           "e-commerce", shop, shop - 5, 10);
    s_item(run, items[n++],
           ocop_arena_printf(a, "Hội nghị kết nối cung cầu sản phẩm OCOP %s năm %u", pv->name, run->year), "conference",
           2 + (unsigned)((h >> 24) % 9), 5 + (unsigned)((h >> 32) % 20), 1);
    bool hosts = false;
    for (size_t f = 0; f < S_FAIRS; f++)
        hosts = hosts || strcmp(s_fairs[f].province, pv->code) == 0;
    if (!hosts && (h >> 40) % 2 == 0)
        s_item(run, items[n++], ocop_arena_printf(a, "Hội chợ sản phẩm OCOP %s – Xuân %u", pv->name, run->year), "fair",
               1, 5 + (unsigned)((h >> 44) % 10), 5);
    return n;
}

static int s_plans(s_run_t *run)
{
    for (size_t p = 0; p < S_PROVINCES; p++) {
        const s_province_t *pv = &s_provinces[p];
        char key[64];
        snprintf(key, sizeof key, "plan|%s|%u", pv->code, run->year);
        if (s_map_get(&run->known, key)) {
            printf("demo: plan %s-%u %s: submitted before\n", pv->code, run->year, pv->name);
            run->plans++;
            continue;
        }
        Ocop__ProPlanItem *items[S_PLAN_ITEMS];
        Ocop__ProPlanSubmit body = OCOP__PRO_PLAN_SUBMIT__INIT;
        body.province_code = (char *)pv->code;
        body.year = run->year;
        body.items = items;
        body.n_items = s_plan_items(run, p, items);
        Ocop__Request *req = s_request(run, s_rid(run, "demo-plan-%u-%s", run->year, pv->code));
        req->caller = ocop_arena_printf(run->arena, "so-cong-thuong@%s", pv->code);
        req->body_case = OCOP__REQUEST__BODY_PRO_PLAN_SUBMIT;
        req->pro_plan_submit = &body;
        Ocop__Reply *reply;
        int rc = s_call(run, run->pro, req, "submitting a plan", &reply);
        if (rc != 0)
            return rc;
        const Ocop__ProPlan *plan = reply->pro_plan;
        printf("demo: plan %s %s: %zu events, %zu overlap warnings\n", plan->id, pv->name, plan->n_items,
               plan->n_warnings);
        for (size_t w = 0; w < plan->n_warnings; w++)
            printf("  warning: %s\n", plan->warnings[w]);
        ocop__reply__free_unpacked(reply, NULL);
        run->plans++;
        run->plans_new++;
    }
    return 0;
}

/* ---------------------------------------------------------------- fairs */

static int s_fair_create(s_run_t *run, size_t k, const char *name)
{
    const s_fair_t *f = &s_fairs[k];
    Ocop__ProFairCreate body = OCOP__PRO_FAIR_CREATE__INIT;
    char start[OCOP_DATE_LEN], end[OCOP_DATE_LEN];
    snprintf(start, sizeof start, "%04u-%s", run->year, f->day);
    ocop_date_add_days(start, f->days - 1, end);
    body.name = (char *)name;
    body.organiser = (char *)f->organiser;
    body.province_code = (char *)f->province;
    body.venue = (char *)f->venue;
    body.start = start;
    body.end = end;
    body.booths = f->booths;
    body.booth_types = s_list(run, f->types, &body.n_booth_types);
    body.focus_sectors = s_list(run, f->focus, &body.n_focus_sectors);
    body.strategy = (char *)f->strategy;
    Ocop__Request *req = s_request(run, s_rid(run, "demo-fair-%u-%02zu", run->year, k + 1));
    req->body_case = OCOP__REQUEST__BODY_PRO_FAIR_CREATE;
    req->pro_fair_create = &body;
    Ocop__Reply *reply;
    int rc = s_call(run, run->pro, req, "creating a fair", &reply);
    if (rc != 0)
        return rc;
    run->fair_ids[k] = ocop_arena_strdup(run->arena, reply->pro_fair->id);
    ocop__reply__free_unpacked(reply, NULL);
    run->fairs_new++;
    return 0;
}

static int s_fair_get(s_run_t *run, size_t k, Ocop__Reply **reply)
{
    Ocop__ProFairGet get = OCOP__PRO_FAIR_GET__INIT;
    get.id = run->fair_ids[k];
    Ocop__Request *req = s_request(run, NULL);
    req->body_case = OCOP__REQUEST__BODY_PRO_FAIR_GET;
    req->pro_fair_get = &get;
    return s_call(run, run->pro, req, "reading a fair", reply);
}

static int s_fairs_create(s_run_t *run)
{
    for (size_t k = 0; k < S_FAIRS; k++) {
        char *name = ocop_arena_printf(run->arena, "%s %u", s_fairs[k].name, run->year), key[512];
        snprintf(key, sizeof key, "fair|%s", name);
        const char *id = s_map_get(&run->known, key);
        int rc = id ? 0 : s_fair_create(run, k, name);
        if (rc != 0)
            return rc;
        if (id)
            run->fair_ids[k] = (char *)id;
    }
    return 0;
}

/* Certified products apply to fair k: drawn by the fair's reach and focus until demand, those
 * that applied before left out; applications close the day before the fair. */
static int s_apply(s_run_t *run, size_t k, const Ocop__ProFair *fair)
{
    const s_fair_t *f = &s_fairs[k];
    if (strcmp(fair->start, run->today) <= 0)
        return 0;
    size_t host = s_province_index(f->province), n = 0;
    s_draw_t *cand = malloc((run->n_products + 1) * sizeof *cand);
    if (!cand)
        return CTL_EXIT_FAILED;
    for (size_t i = 0; i < run->n_products; i++) {
        const s_product_t *x = &run->products[i];
        if (!x->eligible || strcmp(x->expires, fair->end) < 0)
            continue;
        double w = f->reach[x->province == host                                           ? 0
                            : s_provinces[x->province].region == s_provinces[host].region ? 1
                                                                                          : 2];
        if (*f->focus && s_in_list(f->focus, x->sector))
            w *= 2;
        char what[96];
        snprintf(what, sizeof what, "%zu|%s", k, x->id);
        cand[n++] = (s_draw_t){log(s_unit(s_hash(run->seed, what))) / w, i};
    }
    size_t m = s_draw(cand, n, (size_t)f->booths * f->demand / 100), sent = 0;
    Ocop__Request **reqs = ocop_arena_alloc(run->arena, (m + 1) * sizeof *reqs);
    for (size_t j = 0; j < m; j++) {
        const s_product_t *x = &run->products[cand[j].product];
        char key[128];
        snprintf(key, sizeof key, "apply|%s|%s", fair->id, x->id);
        if (s_map_get(&run->known, key))
            continue;
        Ocop__ProApply *body = ocop_arena_alloc(run->arena, sizeof *body);
        ocop__pro_apply__init(body);
        body->fair_id = fair->id;
        body->product_id = (char *)x->id;
        body->entity_id = (char *)x->entity;
        Ocop__Request *req = s_request(run, s_rid(run, "demo-apply-%u-%02zu-%s", run->year, k + 1, x->id));
        req->body_case = OCOP__REQUEST__BODY_PRO_APPLY;
        req->pro_apply = body;
        reqs[sent++] = req;
    }
    free(cand);
    Ocop__Reply **replies = calloc(sent + 1, sizeof *replies);
    if (!replies)
        return CTL_EXIT_FAILED;
    int rc = s_pipeline(run, run->pro, reqs, sent, "applying to a fair", replies);
    if (rc == 0)
        run->applied_new += s_count_ok(run, replies, sent, "applying to a fair");
    s_replies_free(replies, sent);
    return rc;
}

static int s_allocate(s_run_t *run, size_t k)
{
    Ocop__ProAllocate body = OCOP__PRO_ALLOCATE__INIT;
    body.fair_id = run->fair_ids[k];
    Ocop__Request *req = s_request(run, s_rid(run, "demo-allocate-%u-%02zu", run->year, k + 1));
    req->body_case = OCOP__REQUEST__BODY_PRO_ALLOCATE;
    req->pro_allocate = &body;
    Ocop__Reply *reply;
    int rc = s_call(run, run->pro, req, "allocating booths", &reply);
    if (rc == 0)
        ocop__reply__free_unpacked(reply, NULL);
    return rc;
}

/* Applications and allocation for every fair not allocated yet, then the fairs as they stand. */
static int s_fairs_run(s_run_t *run)
{
    for (size_t k = 0; k < S_FAIRS; k++) {
        Ocop__Reply *reply;
        int rc = s_fair_get(run, k, &reply);
        if (rc == 0 && !reply->pro_fair->allocated) {
            rc = s_apply(run, k, reply->pro_fair);
            ocop__reply__free_unpacked(reply, NULL);
            if (rc == 0 && (rc = s_fair_get(run, k, &reply)) == 0 && reply->pro_fair->applications > 0) {
                ocop__reply__free_unpacked(reply, NULL);
                if ((rc = s_allocate(run, k)) == 0)
                    rc = s_fair_get(run, k, &reply);
            }
        }
        if (rc != 0)
            return rc;
        const Ocop__ProFair *f = reply->pro_fair;
        printf("demo: fair %s %s (%s, %s to %s, %u booths, %s): %llu applications, %u booked, %u waiting%s\n", f->id,
               f->name, f->province_code, f->start, f->end, f->booths, f->strategy, (unsigned long long)f->applications,
               f->booked, f->waiting,
               f->allocated           ? ""
               : f->applications == 0 ? " (nothing to allocate: applications closed or none eligible)"
                                      : " (not allocated)");
        run->applications += f->applications;
        run->booked += f->booked;
        run->waiting += f->waiting;
        ocop__reply__free_unpacked(reply, NULL);
    }
    return 0;
}

/* ---------------------------------------------------------------- points of sale */

static unsigned s_fill_percent(Ocop__LocationType t)
{
    return t == S_LT(E_COMMERCE) ? 80 : t == S_LT(SUPERMARKET) || t == S_LT(MALL) ? 70 : 60;
}

static int s_pos_create(s_run_t *run, size_t p, size_t i, char **id)
{
    const s_pos_t *s = &s_provinces[p].pos[i];
    Ocop__ProPointOfSaleCreate body = OCOP__PRO_POINT_OF_SALE_CREATE__INIT;
    body.name = (char *)s->name;
    body.location_type = s->type;
    body.province_code = (char *)s_provinces[p].code;
    body.address = (char *)s->address;
    body.shelf_capacity = s->capacity;
    body.channel = (char *)s->channel;
    Ocop__Request *req = s_request(run, s_rid(run, "demo-pos-%s-%zu", s_provinces[p].code, i + 1));
    req->body_case = OCOP__REQUEST__BODY_PRO_POINT_OF_SALE_CREATE;
    req->pro_point_of_sale_create = &body;
    Ocop__Reply *reply;
    int rc = s_call(run, run->pro, req, "opening a point of sale", &reply);
    if (rc != 0)
        return rc;
    *id = ocop_arena_strdup(run->arena, reply->pro_point_of_sale->id);
    ocop__reply__free_unpacked(reply, NULL);
    run->pos_new++;
    return 0;
}

/* Certified products of the province, drawn for one point of sale (a craft village favours
 * handicrafts), up to a share of its shelves; those listed before are not sent again. Adds the
 * requests to reqs, *sent of them. 0 / exit code. */
static int s_listings(s_run_t *run, size_t p, size_t i, const char *pos_id, Ocop__Request **reqs, size_t *sent)
{
    const s_pos_t *s = &s_provinces[p].pos[i];
    size_t from = run->first[p], to = run->first[p + 1], n = 0;
    s_draw_t *cand = malloc((to - from + 1) * sizeof *cand);
    *sent = 0;
    if (!cand)
        return CTL_EXIT_FAILED;
    for (size_t j = from; j < to; j++) {
        const s_product_t *x = &run->products[j];
        if (!x->eligible || strcmp(x->expires, run->today) < 0)
            continue;
        double w = s->type == S_LT(CRAFT_VILLAGE) && strcmp(x->sector, "4") == 0 ? 4 : 1;
        char what[96];
        snprintf(what, sizeof what, "%s|%zu|%s", s_provinces[p].code, i, x->id);
        cand[n++] = (s_draw_t){log(s_unit(s_hash(run->seed, what))) / w, j};
    }
    size_t m = s_draw(cand, n, (size_t)s->capacity * s_fill_percent(s->type) / 100);
    for (size_t j = 0; j < m; j++) {
        const s_product_t *x = &run->products[cand[j].product];
        char key[128];
        snprintf(key, sizeof key, "list|%s|%s", pos_id, x->id);
        if (s_map_get(&run->known, key))
            continue;
        Ocop__ProListingAdd *body = ocop_arena_alloc(run->arena, sizeof *body);
        ocop__pro_listing_add__init(body);
        body->pos_id = (char *)pos_id;
        body->product_id = (char *)x->id;
        body->entity_id = (char *)x->entity;
        Ocop__Request *req = s_request(run, s_rid(run, "demo-list-%s-%zu-%s", s_provinces[p].code, i + 1, x->id));
        req->body_case = OCOP__REQUEST__BODY_PRO_LISTING_ADD;
        req->pro_listing_add = body;
        reqs[(*sent)++] = req;
    }
    free(cand);
    return 0;
}

static int s_points_of_sale(s_run_t *run)
{
    for (size_t p = 0; p < S_PROVINCES; p++) {
        size_t cap = 1;
        for (size_t i = 0; i < S_POS; i++)
            cap += s_provinces[p].pos[i].capacity;
        Ocop__Request **reqs = ocop_arena_alloc(run->arena, cap * sizeof *reqs);
        size_t n = 0, before = 0;
        char line[512];
        int len = snprintf(line, sizeof line, "demo: points of sale %s %s:", s_provinces[p].code, s_provinces[p].name);
        for (size_t i = 0; i < S_POS; i++) {
            char key[512], *id = NULL;
            snprintf(key, sizeof key, "pos|%s|%s", s_provinces[p].code, s_provinces[p].pos[i].name);
            const char *known = s_map_get(&run->known, key);
            int rc = known ? 0 : s_pos_create(run, p, i, &id);
            id = known ? (char *)known : id;
            snprintf(key, sizeof key, "list|%s|", id);
            before += s_map_count(&run->known, key);
            size_t added = 0;
            if (rc != 0 || (rc = s_listings(run, p, i, id, reqs + n, &added)) != 0)
                return rc;
            n += added;
            if (len > 0 && (size_t)len < sizeof line)
                len += snprintf(line + len, sizeof line - (size_t)len, "%s %s", i ? "," : "", id);
        }
        Ocop__Reply **replies = calloc(n + 1, sizeof *replies);
        if (!replies)
            return CTL_EXIT_FAILED;
        int rc = s_pipeline(run, run->pro, reqs, n, "listing products", replies);
        size_t ok = rc == 0 ? s_count_ok(run, replies, n, "listing a product") : 0;
        s_replies_free(replies, n);
        if (rc != 0)
            return rc;
        printf("%s; %zu products listed (%zu new)\n", line, before + ok, ok);
        run->listings += before + ok;
        run->listings_new += ok;
    }
    return 0;
}

/* ---------------------------------------------------------------- the command */

static int s_calendar(s_run_t *run, size_t *items, size_t *warnings)
{
    Ocop__ProCalendarGet get = OCOP__PRO_CALENDAR_GET__INIT;
    get.year = run->year;
    Ocop__Request *req = s_request(run, NULL);
    req->body_case = OCOP__REQUEST__BODY_PRO_CALENDAR_GET;
    req->pro_calendar_get = &get;
    Ocop__Reply *reply;
    int rc = s_call(run, run->pro, req, "reading the calendar", &reply);
    if (rc != 0)
        return rc;
    *items = reply->pro_calendar->n_items;
    *warnings = reply->pro_calendar->n_warnings;
    ocop__reply__free_unpacked(reply, NULL);
    return 0;
}

static int s_run(s_run_t *run)
{
    ocop_client_t *reg = ctl_connect(run->ctl, "registration");
    run->pro = ctl_connect(run->ctl, "promotion");
    int rc = reg && run->pro ? 0 : CTL_EXIT_UNAVAILABLE;
    if (rc == 0)
        rc = s_known_load(run);
    if (rc == 0)
        rc = s_products_list(run, reg);
    if (rc == 0)
        rc = s_wait_replica(run);
    if (rc == 0)
        rc = s_products_view(run);
    if (rc == 0)
        rc = s_fairs_create(run);
    if (rc == 0)
        rc = s_plans(run);
    if (rc == 0)
        rc = s_fairs_run(run);
    if (rc == 0)
        rc = s_points_of_sale(run);
    size_t items = 0, warnings = 0;
    if (rc == 0)
        rc = s_calendar(run, &items, &warnings);
    if (rc == 0 && run->refused)
        printf("demo: %zu applications or listings refused by the service (the first one's reason above)\n",
               run->refused);
    if (rc == 0)
        printf("demo: %u trade promotion: %zu plans, %zu fairs, %llu applications, %llu booked, %llu waiting, "
               "%zu points of sale, %zu listings; calendar %zu events, %zu overlap warnings "
               "(new: %zu plans, %zu fairs, %zu applications, %zu points of sale, %zu listings)\n",
               run->year, run->plans, S_FAIRS, (unsigned long long)run->applications, (unsigned long long)run->booked,
               (unsigned long long)run->waiting, S_PROVINCES * S_POS, run->listings, items, warnings, run->plans_new,
               run->fairs_new, run->applied_new, run->pos_new, run->listings_new);
    ocop_client_destroy(&reg);
    ocop_client_destroy(&run->pro);
    return rc;
}

int ctl_demo_promote(ctl_t *ctl, int argc, char **argv)
{
    s_run_t run = {.ctl = ctl, .seed = 2025};
    bool usage = false;
    for (int i = 2; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--year") == 0 && i + 1 < argc) {
            unsigned long y = strtoul(argv[++i], &end, 10);
            usage = usage || *end || y < 2000 || y > 2100;
            run.year = (unsigned)y;
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            run.seed = strtoull(argv[++i], &end, 10);
            usage = usage || *end;
        } else {
            usage = true;
        }
    }
    if (usage) {
        fprintf(stderr, "usage: ocopctl demo promote [--year YYYY] [--seed N]\n"
                        "  The year's trade promotion on the promotion service of the config: the 34 provinces'\n"
                        "  plans, a dozen fairs with applications from certified products and their booths\n"
                        "  allocated, three points of sale per province listing certified products. The year is\n"
                        "  the coming one by default (applications close the day before a fair); safe to re-run.\n");
        return CTL_EXIT_USAGE;
    }
    if (ctl->gateway) {
        fprintf(stderr, "ocopctl demo promote: runs on a service host, straight to the services (--config, not "
                        "--gateway)\n");
        return CTL_EXIT_USAGE;
    }
    int rc = ctl_prepare(ctl);
    if (rc != 0)
        return rc;
    ocop_day_of(ocop_now_ms(), run.today);
    if (!run.year)
        run.year = (unsigned)ocop_date_year(run.today) + 1;
    run.timeout_ms = ctl->timeout_ms * 6;
    run.arena = ocop_arena_new(1 << 20);
    rc = run.arena ? s_run(&run) : CTL_EXIT_FAILED;
    free(run.known.items);
    free(run.products);
    ocop_arena_destroy(&run.arena);
    return rc;
}
